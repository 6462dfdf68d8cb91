using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Reads the given partitions from their committed offsets (or <c>auto.offset.reset</c> when none is committed).</summary>
public sealed class AssignmentSubscription : ManualSubscription
{
    internal AssignmentSubscription(IReadOnlyList<TopicPartition> partitions) => Partitions = partitions;

    /// <summary>The partitions.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <inheritdoc />
    public override string ToString() => $"Assignment({string.Join(", ", Partitions)})";
}
