namespace Pipelines.Kafka;

/// <summary>A topic as the cluster's metadata describes it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Partitions">The partition numbers, ascending.</param>
/// <param name="ReplicationFactor">The number of replicas of the first partition (0 when the topic has no partition).</param>
public sealed record KafkaTopicInfo(string Name, IReadOnlyList<int> Partitions, int ReplicationFactor)
{
    /// <summary>The number of partitions.</summary>
    public int PartitionCount => Partitions.Count;
}
