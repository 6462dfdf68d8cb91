using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>An <see cref="IPartitionAssignmentHandler"/> made of optional callbacks; missing ones do nothing.</summary>
public sealed class PartitionAssignmentHandler : IPartitionAssignmentHandler
{
    private readonly Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? _onAssigned;
    private readonly Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? _onRevoked;
    private readonly Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? _onLost;
    private readonly Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? _onStopped;

    /// <summary>Creates a handler from callbacks that run on the consumer's poll thread.</summary>
    /// <param name="onAssigned">Called with newly assigned partitions.</param>
    /// <param name="onRevoked">Called with revoked partitions, after their processed offsets were committed.</param>
    /// <param name="onLost">Called with lost partitions.</param>
    /// <param name="onStopped">Called with the assignment when the consumer shuts down.</param>
    public PartitionAssignmentHandler(
        Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? onAssigned = null,
        Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? onRevoked = null,
        Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? onLost = null,
        Action<IReadOnlySet<TopicPartition>, IRestrictedConsumer>? onStopped = null)
    {
        _onAssigned = onAssigned;
        _onRevoked = onRevoked;
        _onLost = onLost;
        _onStopped = onStopped;
    }

    /// <summary>A handler that does nothing.</summary>
    public static PartitionAssignmentHandler Empty { get; } = new();

    /// <inheritdoc />
    public void OnAssigned(IReadOnlySet<TopicPartition> assigned, IRestrictedConsumer consumer) => _onAssigned?.Invoke(assigned, consumer);

    /// <inheritdoc />
    public void OnRevoked(IReadOnlySet<TopicPartition> revoked, IRestrictedConsumer consumer) => _onRevoked?.Invoke(revoked, consumer);

    /// <inheritdoc />
    public void OnLost(IReadOnlySet<TopicPartition> lost, IRestrictedConsumer consumer) => _onLost?.Invoke(lost, consumer);

    /// <inheritdoc />
    public void OnStopped(IReadOnlySet<TopicPartition> assignment, IRestrictedConsumer consumer) => _onStopped?.Invoke(assignment, consumer);
}
