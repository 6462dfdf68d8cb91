namespace Pipelines.FrontDoors.Producing;

/// <summary>
/// Bounds the records waiting between callers and a single reader, with hysteresis: a caller that finds
/// <c>high</c> records waiting waits until the reader has taken them down to <c>low</c>. A bounded channel releases one
/// blocked writer per record read instead, so a caller pushing faster than the reader blocks and wakes once per record.
/// </summary>
internal sealed class PendingGate
{
    private readonly int _high;
    private readonly int _low;
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _opened;
    private volatile bool _closed;

    /// <summary>Creates a gate that admits up to <paramref name="high"/> records and then reopens at half that.</summary>
    public PendingGate(int high)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(high, 1);
        _high = high;
        _low = high / 2;
    }

    /// <summary>Records admitted and not yet taken by the reader.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether a caller waits for room.</summary>
    public bool HasWaiters => Volatile.Read(ref _opened) is not null;

    /// <summary>Admits one record, at once while fewer than <c>high</c> are waiting (or once the gate is closed).</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _count) <= _high || _closed)
        {
            return ValueTask.CompletedTask;
        }

        // Not admitted: the count holds only records that are (or are about to be) readable, so waiting callers never
        // keep it above low by themselves.
        Interlocked.Decrement(ref _count);
        return new ValueTask(WaitThenEnterAsync(cancellationToken));
    }

    /// <summary>The reader took one record.</summary>
    public void Leave()
    {
        // The decrement is a full fence before the read of _opened, as the waiter's store of _opened is before its read
        // of the count: one of the two sees the other.
        if (Interlocked.Decrement(ref _count) <= _low && Volatile.Read(ref _opened) is not null)
        {
            Open();
        }
    }

    /// <summary>Admits every waiting and later caller at once (the caller then finds the pusher closed).</summary>
    public void Close()
    {
        _closed = true;
        Open();
    }

    private async Task WaitThenEnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task opened;
            lock (_lock)
            {
                _opened ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                opened = _opened.Task;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _count) <= _low || _closed)
                {
                    _opened.TrySetResult();
                    _opened = null;
                }
            }

            await opened.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Increment(ref _count) <= _high || _closed)
            {
                return;
            }

            Interlocked.Decrement(ref _count);
        }
    }

    private void Open()
    {
        lock (_lock)
        {
            _opened?.TrySetResult();
            _opened = null;
        }
    }
}
