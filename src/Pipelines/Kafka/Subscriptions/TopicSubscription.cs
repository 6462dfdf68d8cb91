namespace Pipelines.Kafka;

/// <summary>Subscribes to a fixed set of topics; the group assigns their partitions.</summary>
public sealed class TopicSubscription : AutoSubscription
{
    internal TopicSubscription(IReadOnlyList<string> topics, IPartitionAssignmentHandler? handler)
        : base(handler) => Topics = topics;

    /// <summary>The topics.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <inheritdoc />
    public override AutoSubscription WithPartitionAssignmentHandler(IPartitionAssignmentHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new TopicSubscription(Topics, handler);
    }

    /// <inheritdoc />
    public override string ToString() => $"Topics({string.Join(", ", Topics)})";
}
