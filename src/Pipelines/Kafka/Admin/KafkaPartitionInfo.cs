namespace Pipelines.Kafka;

/// <summary>One partition of a topic as the cluster's metadata describes it.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="Leader">The id of the broker leading the partition, or -1 when it has no leader.</param>
/// <param name="Replicas">The ids of the brokers holding a replica.</param>
/// <param name="InSyncReplicas">The ids of the replicas that are in sync with the leader.</param>
public sealed record KafkaPartitionInfo(int Partition, int Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas);
