using System.Diagnostics;

namespace Pipelines.Kafka;

/// <summary>
/// Tracks, for one partition, the offsets handed to the graph and those whose processing finished, and from them the
/// offset that is safe to commit: the lowest unfinished offset, never past it.
/// </summary>
/// <remarks>
/// <para>
/// Offsets are registered in increasing order (gaps allowed: compaction and transaction markers leave holes) and finish
/// in any order. <see cref="CommitPosition"/> is the lowest registered offset that has not finished, or the last
/// registered offset + 1 when every registered offset finished. Out-of-order completion (parallel, unordered processing)
/// therefore never commits past a record that is still running.
/// </para>
/// <para>
/// An offset that is registered but never finished (a record the graph filtered out without marking it done) holds the
/// partition's commit position for ever; the ledger never skips it silently. <see cref="HeadSince"/> tells the owner how
/// long the current head has been waiting, so it can warn.
/// </para>
/// <para>
/// Assignment epochs: <see cref="Reset"/> starts a new epoch when the partition is assigned again (or revoked). A completion
/// carries the epoch and sequence number returned by <see cref="Register"/>; one from an earlier epoch is ignored, so work
/// that finishes after a rebalance can never move the commit position of a later assignment.
/// </para>
/// <para>
/// Thread-safety: none, deliberately. The ledger has a single owner, the consumer's poll thread: records are registered
/// there when they are handed to the source's buffer, and completions reach it through the consumer's completion queue
/// (one enqueue per completion, drained in bulk by the poll thread). A single owner needs no lock and keeps registration
/// and completion to a few array operations; commits are made on the same thread, right after the completions they
/// depend on are applied.
/// </para>
/// <para>
/// Storage is a ring of offsets indexed by sequence number whose capacity doubles as needed, so there is no allocation
/// per record; <see cref="InFlight"/> lets the owner pause the partition before the ring grows beyond its limit.
/// </para>
/// <para>
/// Commit metadata: a completion may carry a metadata string (<c>CommitWithMetadataSource</c>). It is kept in a second
/// ring, created on the first completion that carries one, and <see cref="CommitMetadata"/> is that of the highest entry
/// the commit position has passed: the last record a commit at <see cref="CommitPosition"/> covers.
/// </para>
/// </remarks>
internal sealed class OffsetLedger
{
    // Finished entries keep their offset with this bit set; offsets are below 2^62 in any real log.
    private const long DoneBit = 1L << 62;
    private const long OffsetMask = DoneBit - 1;
    private const int MinCapacity = 16;

    private long[] _ring;
    private string?[]? _metadata;
    private int _mask;

    // Sequence numbers never reset, even across epochs, so a sequence identifies one registration for ever.
    private long _head;
    private long _tail;
    private long _lastRegistered = -1;
    private long _lastFinishedHighest = -1;
    private long _headSince;

    // The head when TakeCovered last ran: the entries from here to the head are the ones a commit newly covers.
    private long _covered;

    /// <summary>Creates an empty ledger in epoch 0.</summary>
    /// <param name="initialCapacity">The ring's first capacity (rounded up to a power of two).</param>
    public OffsetLedger(int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        var capacity = (int)Math.Max(MinCapacity, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity));
        _ring = new long[capacity];
        _mask = capacity - 1;
    }

    /// <summary>The current assignment epoch; completions from other epochs are ignored.</summary>
    public int Epoch { get; private set; }

    /// <summary>Entries between the commit position and the last registered offset (finished or not): the ledger's occupancy.</summary>
    public int InFlight => (int)(_tail - _head);

    /// <summary>The number of registered offsets that have not finished yet.</summary>
    public int Unfinished { get; private set; }

    /// <summary>The ring's current capacity (grows by doubling).</summary>
    public int Capacity => _ring.Length;

    /// <summary>The last offset registered in this epoch, or -1 when none was.</summary>
    public long LastRegistered => _lastRegistered;

    /// <summary>
    /// The offset to commit for this partition (the next offset to read after a restart): the lowest unfinished registered
    /// offset, or the last registered offset + 1 when all finished; -1 when nothing was registered in this epoch.
    /// </summary>
    public long CommitPosition
    {
        get
        {
            if (_head < _tail)
            {
                return _ring[(int)_head & _mask] & OffsetMask;
            }

            return _lastRegistered < 0 ? -1 : _lastRegistered + 1;
        }
    }

    /// <summary>The sequence number of the lowest unfinished entry, or -1 when nothing is unfinished.</summary>
    public long HeadSequence => _head < _tail ? _head : -1;

    /// <summary>The offset holding the commit position (the lowest unfinished one), or -1 when nothing is unfinished.</summary>
    public long HeadOffset => _head < _tail ? _ring[(int)_head & _mask] & OffsetMask : -1;

    /// <summary>
    /// The timestamp (in the owner's clock units) since which the current head has been the lowest unfinished offset;
    /// meaningful only while <see cref="HeadOffset"/> is not -1.
    /// </summary>
    public long HeadSince => _headSince;

    /// <summary>The highest offset that finished in this epoch, or -1.</summary>
    public long HighestFinished => _lastFinishedHighest;

    /// <summary>
    /// The metadata of the last entry below <see cref="CommitPosition"/> (the last record a commit there covers), or
    /// <see langword="null"/> when it carried none.
    /// </summary>
    public string? CommitMetadata { get; private set; }

    /// <summary>Starts a new epoch: forgets every registered offset, so completions of the old epoch are ignored.</summary>
    public void Reset()
    {
        Epoch++;
        _head = _tail;
        _covered = _tail;
        _lastRegistered = -1;
        _lastFinishedHighest = -1;
        Unfinished = 0;
        CommitMetadata = null;
        if (_ring.Length > 1024)
        {
            // Give back a ring that grew for a burst; the next assignment starts small again.
            _ring = new long[64];
            _metadata = null;
            _mask = 63;
        }
        else if (_metadata is not null)
        {
            Array.Clear(_metadata);
        }
    }

    /// <summary>
    /// The entries the commit position passed since the last call: the records a commit at <see cref="CommitPosition"/>
    /// covers that no earlier commit did (for the committed-records metric; call it when such a commit succeeded).
    /// </summary>
    public long TakeCovered()
    {
        var covered = _head - _covered;
        _covered = _head;
        return covered;
    }

    /// <summary>Registers the next offset handed to the graph and returns its sequence number for <see cref="Complete"/>.</summary>
    /// <param name="offset">The offset; greater than every offset registered before in this epoch.</param>
    /// <param name="timestamp">The owner's current time, recorded when this offset becomes the head.</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative or not above the last registered one.</exception>
    public long Register(long offset, long timestamp)
    {
        if (offset <= _lastRegistered || offset < 0 || offset >= DoneBit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), offset, $"Offsets are registered in increasing order; the last one registered was {_lastRegistered}.");
        }

        if (_tail - _head == _ring.Length)
        {
            Grow();
        }

        if (_head == _tail)
        {
            _headSince = timestamp;
        }

        var sequence = _tail;
        _ring[(int)sequence & _mask] = offset;
        _tail = sequence + 1;
        _lastRegistered = offset;
        Unfinished++;
        return sequence;
    }

    /// <summary>
    /// Marks the offset registered under <paramref name="sequence"/> in <paramref name="epoch"/> as finished; returns
    /// <see langword="false"/> (and changes nothing) when it belongs to another epoch or already finished.
    /// </summary>
    /// <param name="epoch">The epoch the offset was registered in.</param>
    /// <param name="sequence">The sequence number <see cref="Register"/> returned.</param>
    /// <param name="timestamp">The owner's current time, recorded if the head moves.</param>
    /// <param name="metadata">Commit metadata of the record, sent with a commit that covers it as the last record; may be null.</param>
    public bool Complete(int epoch, long sequence, long timestamp, string? metadata = null)
    {
        if (epoch != Epoch || sequence < _head || sequence >= _tail)
        {
            // Another epoch, or below the head (finished already), or never registered.
            return false;
        }

        ref var slot = ref _ring[(int)sequence & _mask];
        if ((slot & DoneBit) != 0)
        {
            return false;
        }

        slot |= DoneBit;
        Unfinished--;
        if (metadata is not null)
        {
            (_metadata ??= new string?[_ring.Length])[(int)sequence & _mask] = metadata;
        }

        var offset = slot & OffsetMask;
        if (offset > _lastFinishedHighest)
        {
            _lastFinishedHighest = offset;
        }

        if (sequence == _head)
        {
            // Advance over every finished entry; each entry is passed once, so this is O(1) amortised.
            var head = _head + 1;
            while (head < _tail && (_ring[(int)head & _mask] & DoneBit) != 0)
            {
                head++;
            }

            if (_metadata is not null)
            {
                PassMetadata(_head, head);
            }

            _head = head;
            _headSince = timestamp;
        }

        return true;
    }

    /// <summary>Takes the metadata of the entries from <paramref name="from"/> to before <paramref name="to"/>, which the head passes.</summary>
    private void PassMetadata(long from, long to)
    {
        var metadata = _metadata!;
        for (var s = from; s < to; s++)
        {
            ref var slot = ref metadata[(int)s & _mask];
            CommitMetadata = slot;
            slot = null;
        }
    }

    private void Grow()
    {
        var bigger = new long[_ring.Length * 2];
        var biggerMetadata = _metadata is null ? null : new string?[bigger.Length];
        var newMask = bigger.Length - 1;
        for (var s = _head; s < _tail; s++)
        {
            bigger[(int)s & newMask] = _ring[(int)s & _mask];
            if (biggerMetadata is not null)
            {
                biggerMetadata[(int)s & newMask] = _metadata![(int)s & _mask];
            }
        }

        Debug.Assert(_tail - _head == _ring.Length, "the ring grows only when full");
        _ring = bigger;
        _metadata = biggerMetadata;
        _mask = newMask;
    }
}
