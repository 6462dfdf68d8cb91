using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Reads the given partitions starting at the given offsets.</summary>
public sealed class AssignmentWithOffsetSubscription : ManualSubscription
{
    internal AssignmentWithOffsetSubscription(IReadOnlyList<TopicPartitionOffset> offsets) => Offsets = offsets;

    /// <summary>The partitions with the offset to start each at.</summary>
    public IReadOnlyList<TopicPartitionOffset> Offsets { get; }

    /// <inheritdoc />
    public override string ToString() => $"AssignmentWithOffset({string.Join(", ", Offsets)})";
}
