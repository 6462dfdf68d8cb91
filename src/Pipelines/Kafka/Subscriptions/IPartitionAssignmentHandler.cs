using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// Told when a consumer's partitions are assigned, revoked or lost, and when the consumer stops. Every method runs on the
/// consumer's poll thread, synchronously inside the rebalance, so work done here (seeking, committing elsewhere) completes
/// before the rebalance does; keep it fast (a warning is logged past the consumer's partition-handler warning time).
/// </summary>
public interface IPartitionAssignmentHandler
{
    /// <summary>Partitions were assigned; they start from their committed offsets unless the handler seeks.</summary>
    /// <param name="assigned">The newly assigned partitions.</param>
    /// <param name="consumer">The consumer, usable during this call only.</param>
    void OnAssigned(IReadOnlySet<TopicPartition> assigned, IRestrictedConsumer consumer);

    /// <summary>
    /// Partitions are being revoked; the processed offsets of these partitions have been committed and their buffered records
    /// dropped before this call.
    /// </summary>
    /// <param name="revoked">The revoked partitions.</param>
    /// <param name="consumer">The consumer, usable during this call only.</param>
    void OnRevoked(IReadOnlySet<TopicPartition> revoked, IRestrictedConsumer consumer);

    /// <summary>Partitions were lost (the group moved on without this consumer): nothing could be committed for them.</summary>
    /// <param name="lost">The lost partitions.</param>
    /// <param name="consumer">The consumer, usable during this call only.</param>
    void OnLost(IReadOnlySet<TopicPartition> lost, IRestrictedConsumer consumer);

    /// <summary>The consumer is shutting down while owning <paramref name="assignment"/> (after the final commit).</summary>
    /// <param name="assignment">The partitions owned at shutdown.</param>
    /// <param name="consumer">The consumer, usable during this call only.</param>
    void OnStopped(IReadOnlySet<TopicPartition> assignment, IRestrictedConsumer consumer);
}
