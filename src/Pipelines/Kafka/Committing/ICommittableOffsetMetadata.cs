namespace Pipelines.Kafka;

/// <summary>
/// A committable offset that carries commit metadata (emitted by <see cref="KafkaConsumer.CommitWithMetadataSource{TKey, TValue}"/>):
/// Kafka stores the metadata string of the last record a commit covers next to the committed offset.
/// </summary>
public interface ICommittableOffsetMetadata : ICommittableOffset
{
    /// <summary>The metadata string to store with the committed offset.</summary>
    string Metadata { get; }
}
