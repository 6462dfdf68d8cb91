using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// One partition as its consumer sees it, across assignments. The poll thread owns the ledger and the assignment; the
/// reader (the source stage) only counts what it takes from the buffer and reads the epoch to drop stale records.
/// </summary>
internal sealed class PartitionState
{
    private int _readerEpoch = -1;
    private long _written;
    private long _read;
    private long _lastDequeuedSequence = -1;
    private int _pausedForBuffer;
    private int _resumeRequested;
    private long _lag = -1;
    private long _publishedCommitted = -1;
    private int _publishedInFlight;

    public PartitionState(IOffsetCommitter owner, TopicPartition topicPartition)
    {
        Owner = owner;
        TopicPartition = topicPartition;
    }

    public IOffsetCommitter Owner { get; }

    public TopicPartition TopicPartition { get; }

    /// <summary>The partition's ledger; poll thread only.</summary>
    public OffsetLedger Ledger { get; } = new();

    /// <summary>Whether the partition is assigned; poll thread only.</summary>
    public bool Assigned { get; set; }

    /// <summary>Whether the client has the partition paused; poll thread only.</summary>
    public bool Paused { get; set; }

    /// <summary>Whether the pause state must be told to the client after an assignment; poll thread only.</summary>
    public bool NeedsPauseSync { get; set; }

    /// <summary>The last offset position committed in the current assignment, or -1; poll thread only.</summary>
    public long LastCommitted { get; set; } = -1;

    /// <summary>The head offset already warned about as stuck, or -1; poll thread only.</summary>
    public long WarnedStuckOffset { get; set; } = -1;

    /// <summary>The epoch whose records readers may emit; -1 while the partition is not assigned.</summary>
    public int ReaderEpoch
    {
        get => Volatile.Read(ref _readerEpoch);
        set => Volatile.Write(ref _readerEpoch, value);
    }

    /// <summary>Records of this partition in the buffer (any epoch): written by the poll thread minus taken by the reader.</summary>
    public long Buffered => Volatile.Read(ref _written) - Volatile.Read(ref _read);

    /// <summary>The sequence number of the last record the reader took (the ledger's numbering).</summary>
    public long LastDequeuedSequence => Volatile.Read(ref _lastDequeuedSequence);

    /// <summary>Whether the poll thread paused the partition because its buffer was full (read by the reader).</summary>
    public bool PausedForBuffer
    {
        get => Volatile.Read(ref _pausedForBuffer) != 0;
        set => Volatile.Write(ref _pausedForBuffer, value ? 1 : 0);
    }

    /// <summary>The consumer lag from the latest statistics, or -1 when unknown.</summary>
    public long Lag
    {
        get => Volatile.Read(ref _lag);
        set => Volatile.Write(ref _lag, value);
    }

    /// <summary>The committed position as last published by the poll thread, or -1.</summary>
    public long PublishedCommitted
    {
        get => Volatile.Read(ref _publishedCommitted);
        set => Volatile.Write(ref _publishedCommitted, value);
    }

    /// <summary>The ledger occupancy as last published by the poll thread.</summary>
    public int PublishedInFlight
    {
        get => Volatile.Read(ref _publishedInFlight);
        set => Volatile.Write(ref _publishedInFlight, value);
    }

    /// <summary>Counts a record written to the buffer; poll thread only.</summary>
    public void OnWritten() => Volatile.Write(ref _written, _written + 1);

    /// <summary>Counts a record taken from the buffer and returns how many remain; reader only (one reader per partition).</summary>
    public long OnRead(long sequence)
    {
        Volatile.Write(ref _lastDequeuedSequence, sequence);
        var read = _read + 1;
        Volatile.Write(ref _read, read);
        return Volatile.Read(ref _written) - read;
    }

    /// <summary>Claims the right to ask the poll thread for a resume (once per pause).</summary>
    public bool TryRequestResume() => Interlocked.Exchange(ref _resumeRequested, 1) == 0;

    /// <summary>Re-arms <see cref="TryRequestResume"/>; poll thread only.</summary>
    public void ClearResumeRequest() => Volatile.Write(ref _resumeRequested, 0);

    public override string ToString() => TopicPartition.ToString();
}
