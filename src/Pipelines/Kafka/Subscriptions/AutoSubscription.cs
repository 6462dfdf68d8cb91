namespace Pipelines.Kafka;

/// <summary>
/// A subscription whose partitions the consumer group assigns (and rebalances); it may carry a handler that is told of
/// assignments, revocations, losses and the consumer's stop.
/// </summary>
public abstract class AutoSubscription : Subscription
{
    private protected AutoSubscription(IPartitionAssignmentHandler? assignmentHandler) => AssignmentHandler = assignmentHandler;

    /// <summary>The handler called on the poll thread when partitions are assigned, revoked or lost, and on stop; may be <see langword="null"/>.</summary>
    public IPartitionAssignmentHandler? AssignmentHandler { get; }

    /// <summary>Returns a copy of this subscription that reports to <paramref name="handler"/>.</summary>
    /// <param name="handler">The handler (runs on the consumer's poll thread; keep it fast).</param>
    public abstract AutoSubscription WithPartitionAssignmentHandler(IPartitionAssignmentHandler handler);
}
