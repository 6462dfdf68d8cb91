using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Wraps the poll thread's consumer for assignment handlers.</summary>
internal sealed class RestrictedConsumer<TKey, TValue>(IConsumer<TKey, TValue> consumer) : IRestrictedConsumer
{
    public IReadOnlyList<TopicPartition> Assignment => consumer.Assignment;

    public Offset Position(TopicPartition partition) => consumer.Position(partition);

    public void Seek(TopicPartitionOffset offset) => consumer.Seek(offset);

    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) =>
        consumer.Committed(partitions, timeout);

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout) =>
        consumer.QueryWatermarkOffsets(partition, timeout);

    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout) =>
        consumer.OffsetsForTimes(timestamps, timeout);
}
