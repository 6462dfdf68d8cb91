namespace Pipelines.Kafka;

/// <summary>
/// The committable offset of a record emitted by <see cref="KafkaConsumer.CommitWithMetadataSource{TKey, TValue}"/>: a
/// commit whose position covers this record as its last one sends <see cref="Metadata"/> to Kafka with the offset.
/// </summary>
internal sealed class CommittableOffsetMetadata : CommittableOffset, ICommittableOffsetMetadata
{
    private readonly string _metadata;

    public CommittableOffsetMetadata(PartitionState partition, int epoch, long sequence, long offset, string metadata, Confluent.Kafka.Headers? headers = null)
        : base(partition, epoch, sequence, offset, headers)
    {
        _metadata = metadata;
    }

    /// <inheritdoc cref="ICommittableOffsetMetadata.Metadata" />
    public override string Metadata => _metadata;
}
