using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// The bounded single-producer/single-consumer ring between two islands. The producer stage writes and publishes the
/// tail; the consumer stage reads and publishes the head. Each side parks (sets its waiting flag) only when it cannot
/// go on — the consumer when the ring is empty, the producer when it is full — and the other side wakes it with one
/// mailbox event: the consumer as soon as an element is there, the producer once half of the ring is free again, so
/// cross-thread signals are amortised over many elements.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class BoundaryBuffer<T>
{
    public const int Running = 0;
    public const int Completed = 1;
    public const int Failed = 2;

    private readonly T[] _items;
    private readonly int _mask;
    private PaddedInt _tail;
    private PaddedInt _head;

    // Each side's private copy of the other's counter, on its own line: the side refreshing it (often) does not
    // invalidate the line the other side reads its own fields from.
    private PaddedInt _producerCachedHeadSlot;
    private PaddedInt _consumerCachedTailSlot;

    // Set and cleared with interlocked operations on every park and wake: kept off the lines of the read-only fields.
    private PaddedInt _consumerWaitingSlot;
    private PaddedInt _producerWaitingSlot;
    private volatile int _upstreamState;
    private volatile bool _cancelled;

    public BoundaryBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _items = new T[Capacity];
        _mask = Capacity - 1;
        WakeThreshold = Math.Max(1, Capacity / 2);
    }

    public int Capacity { get; }

    public int WakeThreshold { get; }

    // Null until that end is materialized: a substream's buffer is written before its consumer stage exists. An end
    // that is not there yet has not parked, and it reads the buffer's state when it starts, so no wake-up is lost.
    public StageCallback? WakeConsumer { get; set; }

    public StageCallback? WakeProducer { get; set; }

    public int UpstreamState => _upstreamState;

    public Exception? Failure { get; private set; }

    public bool Cancelled => _cancelled;

    public Exception? CancelCause { get; private set; }

    public bool IsEmpty => Volatile.Read(ref _head.Value) == Volatile.Read(ref _tail.Value);

    // ---- producer side ----

    public bool ProducerHasSpace()
    {
        var tail = _tail.Value;
        if (unchecked(tail - _producerCachedHeadSlot.Value) < Capacity)
        {
            return true;
        }

        _producerCachedHeadSlot.Value = Volatile.Read(ref _head.Value);
        return unchecked(tail - _producerCachedHeadSlot.Value) < Capacity;
    }

    /// <summary>
    /// The free slots after the tail up to the end of the array (empty when the ring is full): the producer fills a
    /// prefix of it and publishes that with <see cref="Commit"/>. The consumer never reads past the published tail.
    /// </summary>
    public Span<T> WritableSpan()
    {
        if (!ProducerHasSpace())
        {
            return [];
        }

        var tail = _tail.Value;
        var free = Capacity - unchecked(tail - _producerCachedHeadSlot.Value);
        var start = tail & _mask;
        return _items.AsSpan(start, Math.Min(free, Capacity - start));
    }

    /// <summary>Publishes <paramref name="count"/> elements written into the start of <see cref="WritableSpan"/>.</summary>
    public void Commit(int count) => Volatile.Write(ref _tail.Value, _tail.Value + count);

    /// <summary>Writes one element; the caller checked <see cref="ProducerHasSpace"/>.</summary>
    public void Write(T element)
    {
        var tail = _tail.Value;
        _items[tail & _mask] = element;
        Volatile.Write(ref _tail.Value, tail + 1);
    }

    /// <summary>
    /// Wakes a parked consumer once enough elements are buffered to make the thread hop worth it; the rest is
    /// published by <see cref="FlushToConsumer"/> at the end of the producer's run.
    /// </summary>
    public void NotifyConsumerIfBatchReady()
    {
        if (unchecked(_tail.Value - _producerCachedHeadSlot.Value) >= WakeThreshold)
        {
            NotifyConsumerIfWaiting();
        }
    }

    /// <summary>Wakes the consumer if it is parked; cheap when it is not.</summary>
    public void NotifyConsumerIfWaiting()
    {
        if (Volatile.Read(ref _consumerWaitingSlot.Value) == 1 && Interlocked.Exchange(ref _consumerWaitingSlot.Value, 0) == 1)
        {
            WakeConsumer!.Invoke();
        }
    }

    /// <summary>Makes every write visible before checking whether the consumer parked (closes the race with its parking).</summary>
    public void FlushToConsumer()
    {
        Interlocked.MemoryBarrier();
        NotifyConsumerIfWaiting();
    }

    /// <summary>Parks the producer; returns <see langword="true"/> if space appeared meanwhile and the producer may go on.</summary>
    public bool ParkProducer()
    {
        Interlocked.Exchange(ref _producerWaitingSlot.Value, 1);
        if (ProducerHasSpace())
        {
            // If the consumer took the flag first, its wake-up event is on the way and will resume us.
            return Interlocked.Exchange(ref _producerWaitingSlot.Value, 0) == 1;
        }

        return false;
    }

    /// <summary>
    /// Takes back, on the producer side, the oldest element the consumer never read. Only valid once
    /// <see cref="Cancelled"/> is set: the consumer reads nothing after cancelling, so the producer owns both ends.
    /// </summary>
    public bool TryReclaim(out T element)
    {
        Debug.Assert(_cancelled, "elements can only be reclaimed after the consumer cancelled");
        var head = Volatile.Read(ref _head.Value);
        if (head == _tail.Value)
        {
            element = default!;
            return false;
        }

        ref var slot = ref _items[head & _mask];
        element = slot;
        slot = default!;
        _head.Value = head + 1;
        return true;
    }

    public void CompleteUpstream()
    {
        _upstreamState = Completed;
        Interlocked.Exchange(ref _consumerWaitingSlot.Value, 0);
        WakeConsumer?.Invoke();
    }

    public void FailUpstream(Exception cause)
    {
        Failure = cause;
        _upstreamState = Failed;
        Interlocked.Exchange(ref _consumerWaitingSlot.Value, 0);
        WakeConsumer?.Invoke();
    }

    // ---- consumer side ----

    public bool TryRead(out T element)
    {
        var head = _head.Value;
        if (head == _consumerCachedTailSlot.Value)
        {
            _consumerCachedTailSlot.Value = Volatile.Read(ref _tail.Value);
            if (head == _consumerCachedTailSlot.Value)
            {
                element = default!;
                return false;
            }
        }

        ref var slot = ref _items[head & _mask];
        element = slot;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            slot = default!;
        }

        Volatile.Write(ref _head.Value, head + 1);
        if (Volatile.Read(ref _producerWaitingSlot.Value) == 1
            && Capacity - unchecked(_consumerCachedTailSlot.Value - (head + 1)) >= WakeThreshold
            && Interlocked.Exchange(ref _producerWaitingSlot.Value, 0) == 1)
        {
            WakeProducer!.Invoke();
        }

        return true;
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length of elements (in order); returns how many were there.</summary>
    public int TryReadBatch(Span<T> destination)
    {
        var head = _head.Value;
        if (unchecked(_consumerCachedTailSlot.Value - head) < destination.Length)
        {
            _consumerCachedTailSlot.Value = Volatile.Read(ref _tail.Value);
        }

        var available = unchecked(_consumerCachedTailSlot.Value - head);
        if (available == 0)
        {
            return 0;
        }

        var count = Math.Min(available, destination.Length);
        var start = head & _mask;
        var first = Math.Min(count, Capacity - start);
        var items = _items.AsSpan();
        items.Slice(start, first).CopyTo(destination);
        if (first < count)
        {
            items[..(count - first)].CopyTo(destination[first..]);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            items.Slice(start, first).Clear();
            items[..(count - first)].Clear();
        }

        Volatile.Write(ref _head.Value, head + count);
        if (Volatile.Read(ref _producerWaitingSlot.Value) == 1
            && Capacity - unchecked(_consumerCachedTailSlot.Value - (head + count)) >= WakeThreshold
            && Interlocked.Exchange(ref _producerWaitingSlot.Value, 0) == 1)
        {
            WakeProducer!.Invoke();
        }

        return count;
    }

    /// <summary>Parks the consumer; returns <see langword="true"/> if data or termination appeared meanwhile and the consumer may go on.</summary>
    public bool ParkConsumer()
    {
        Interlocked.Exchange(ref _consumerWaitingSlot.Value, 1);
        if (Volatile.Read(ref _tail.Value) != _head.Value || _upstreamState != Running)
        {
            return Interlocked.Exchange(ref _consumerWaitingSlot.Value, 0) == 1;
        }

        // While parked the producer must be able to refill the ring; make sure it is not left parked too.
        if (Volatile.Read(ref _producerWaitingSlot.Value) == 1 && Interlocked.Exchange(ref _producerWaitingSlot.Value, 0) == 1)
        {
            WakeProducer!.Invoke();
        }

        return false;
    }

    public void Cancel(Exception? cause)
    {
        CancelCause = cause;
        _cancelled = true;
        Interlocked.Exchange(ref _producerWaitingSlot.Value, 0);
        WakeProducer?.Invoke();
    }
}
