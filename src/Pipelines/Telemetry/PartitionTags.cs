using Confluent.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// The tags of one consumed partition, built once when the consumer first sees the partition so that adding to an instrument
/// allocates nothing: per topic for counters, per partition for gauges.
/// </summary>
internal sealed class PartitionTags
{
    public PartitionTags(KeyValuePair<string, object?>[] consumerTags, TopicPartition partition)
    {
        Topic = [.. consumerTags, new(TagNames.Topic, partition.Topic)];
        Partition = [.. Topic, new(TagNames.Partition, PartitionIds.Of(partition.Partition.Value))];
    }

    /// <summary>Client id, group and topic.</summary>
    public KeyValuePair<string, object?>[] Topic { get; }

    /// <summary>Client id, group, topic and partition.</summary>
    public KeyValuePair<string, object?>[] Partition { get; }
}
