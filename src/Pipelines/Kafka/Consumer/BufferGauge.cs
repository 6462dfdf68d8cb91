namespace Pipelines.Kafka;

/// <summary>
/// Counts the records of one buffer: written by the poll thread, taken by the buffer's single reader. When the poll loop
/// waits for the buffer to drain it says so here, and the reader wakes it once the count is down to the drain target.
/// </summary>
/// <remarks>Single writer per counter, so plain increments published with volatile writes; no locks, no interlocked adds.</remarks>
internal sealed class BufferGauge
{
    private long _written;
    private long _read;
    private long _drainTarget;
    private int _awaitingDrain;
    private int _wakeRequested;

    /// <summary>Records in the buffer now.</summary>
    public long Count => Volatile.Read(ref _written) - Volatile.Read(ref _read);

    /// <summary>Records taken so far (the reader's progress).</summary>
    public long Taken => Volatile.Read(ref _read);

    /// <summary>Whether the poll loop waits for this buffer to drain.</summary>
    public bool AwaitingDrain => Volatile.Read(ref _awaitingDrain) != 0;

    /// <summary>Counts a record written; poll thread only.</summary>
    public void OnWritten() => Volatile.Write(ref _written, _written + 1);

    /// <summary>Counts a record taken and returns whether the poll loop must be woken (once per wait); reader only.</summary>
    public bool OnTaken()
    {
        var read = _read + 1;
        Volatile.Write(ref _read, read);
        return Volatile.Read(ref _awaitingDrain) != 0
            && Volatile.Read(ref _written) - read <= Volatile.Read(ref _drainTarget)
            && Interlocked.Exchange(ref _wakeRequested, 1) == 0;
    }

    /// <summary>The poll loop starts waiting for the count to fall to <paramref name="target"/>; poll thread only.</summary>
    public void AwaitDrain(long target)
    {
        Volatile.Write(ref _drainTarget, target);
        // Re-arm the wake-up before publishing the wait, so a reader draining right now is sure to call.
        Volatile.Write(ref _wakeRequested, 0);
        Interlocked.Exchange(ref _awaitingDrain, 1);
    }

    /// <summary>The poll loop no longer waits for this buffer; poll thread only.</summary>
    public void StopAwaitingDrain() => Volatile.Write(ref _awaitingDrain, 0);
}
