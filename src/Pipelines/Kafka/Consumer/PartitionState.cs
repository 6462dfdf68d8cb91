using Confluent.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// One partition as its consumer sees it, across assignments. The consumer actor ("poll thread" below) owns the ledger and the assignment; the
/// reader (the source stage) only counts what it takes from the buffer and reads the epoch to drop stale records.
/// </summary>
internal sealed class PartitionState
{
    private int _readerEpoch = -1;
    private long _lastDequeuedSequence = -1;
    private int _publishedPaused;
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

    /// <summary>Whether the source reading the partition tracks offsets (a committable source); poll thread only.</summary>
    public bool Tracked { get; set; }

    /// <summary>Whether the source reading the partition has stopped, so its records are no longer handed out; poll thread only.</summary>
    public bool Stopped { get; set; }

    /// <summary>Whether the client has the partition paused; poll thread only.</summary>
    public bool Paused
    {
        get => Volatile.Read(ref _publishedPaused) != 0;
        set => Volatile.Write(ref _publishedPaused, value ? 1 : 0);
    }

    /// <summary>Whether the partition is paused because its buffer did not drain in time; poll thread only.</summary>
    public bool PausedForBuffer { get; set; }

    /// <summary>Whether the buffer is over its size and the poll loop stopped taking records for it; poll thread only.</summary>
    public bool Over { get; set; }

    /// <summary>When the buffer went over its size (poll loop clock); poll thread only.</summary>
    public long OverSince { get; set; }

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

    /// <summary>Counts this partition's records in the buffer (any epoch): written by the poll thread, taken by the reader.</summary>
    public BufferGauge Gauge { get; } = new();

    /// <summary>Records of this partition in the buffer.</summary>
    public long Buffered => Gauge.Count;

    /// <summary>The sequence number of the last record the reader took (the ledger's numbering).</summary>
    public long LastDequeuedSequence => Volatile.Read(ref _lastDequeuedSequence);

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

    /// <summary>Counts a record taken from the buffer; returns whether the poll loop must be woken. Reader only.</summary>
    public bool OnTaken(long sequence)
    {
        Volatile.Write(ref _lastDequeuedSequence, sequence);
        return Gauge.OnTaken();
    }

    /// <summary>The partition's metric tags (<see cref="ConsumerTelemetry"/>), set when the consumer first sees it.</summary>
    public PartitionTags? Tags { get; init; }

    /// <summary>Records taken from Kafka that the consumed counter has not been told about yet; poll thread only.</summary>
    public long UncountedConsumed { get; set; }

    public override string ToString() => TopicPartition.ToString();
}
