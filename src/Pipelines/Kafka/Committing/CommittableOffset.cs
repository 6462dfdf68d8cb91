using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// The committable offset of one record: which partition ledger it was registered in, under which assignment epoch and
/// sequence, so that its completion lands exactly on its own ledger entry (or is ignored after a rebalance).
/// </summary>
internal class CommittableOffset : ICommittableOffset
{
    private readonly Headers? _headers;

    public CommittableOffset(PartitionState partition, int epoch, long sequence, long offset, Headers? headers = null)
    {
        Partition = partition;
        Epoch = epoch;
        Sequence = sequence;
        Offset = offset;
        _headers = headers;
    }

    public PartitionState Partition { get; }

    public int Epoch { get; }

    public long Sequence { get; }

    public long Offset { get; }

    public IOffsetCommitter Committer => Partition.Owner;

    public TopicPartition TopicPartition => Partition.TopicPartition;

    public PartitionOffset PartitionOffset =>
        new(new GroupTopicPartition(Partition.Owner.GroupId, Partition.TopicPartition.Topic, Partition.TopicPartition.Partition.Value), Offset);

    public long BatchSize => 1;

    /// <summary>The commit metadata of the record (<see cref="CommittableOffsetMetadata"/>), or <see langword="null"/>.</summary>
    public virtual string? Metadata => null;

    /// <summary>
    /// The trace context the record carried in its headers, or <see langword="default"/>: read only when a record produced with
    /// this offset as pass-through needs a parent for its send span.
    /// </summary>
    public ActivityContext TraceContext => KafkaTraceContext.Extract(_headers);

    public void MarkProcessed() => Partition.Owner.MarkProcessed(this);

    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        Partition.Owner.MarkProcessed(this);
        return Partition.Owner.CommitAsync(cancellationToken);
    }

    public override string ToString() => PartitionOffset.ToString();
}
