namespace Pipelines.Kafka;

/// <summary>A topic as the cluster's metadata describes it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Partitions">The partition numbers, ascending.</param>
/// <param name="ReplicationFactor">The number of replicas of the first partition (0 when the topic has no partition).</param>
public sealed record KafkaTopicInfo(string Name, IReadOnlyList<int> Partitions, int ReplicationFactor)
{
    /// <summary>The number of partitions.</summary>
    public int PartitionCount => Partitions.Count;

    /// <summary>Leader and replicas of each partition, ascending by partition (empty when the record was built without them).</summary>
    public IReadOnlyList<KafkaPartitionInfo> PartitionDetails { get; init; } = [];
}
