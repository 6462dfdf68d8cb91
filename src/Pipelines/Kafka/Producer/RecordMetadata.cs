using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Where and when a produced record was stored, as acknowledged by the broker.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition the record went to.</param>
/// <param name="Offset">The record's offset in the partition.</param>
/// <param name="Timestamp">The record's timestamp (create time, or the broker's log-append time when the topic uses it).</param>
public readonly record struct RecordMetadata(string Topic, int Partition, long Offset, Timestamp Timestamp)
{
    /// <summary>The topic, partition and offset as Confluent.Kafka's type.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    /// <inheritdoc />
    public override string ToString() => $"{Topic} [{Partition}] @{Offset}";

    internal static RecordMetadata From<TKey, TValue>(DeliveryResult<TKey, TValue> report) =>
        new(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp);
}
