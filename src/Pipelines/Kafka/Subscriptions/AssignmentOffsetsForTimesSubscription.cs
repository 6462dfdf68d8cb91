using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Reads the given partitions starting at the first record at or after a timestamp in each.</summary>
public sealed class AssignmentOffsetsForTimesSubscription : ManualSubscription
{
    internal AssignmentOffsetsForTimesSubscription(IReadOnlyList<TopicPartitionTimestamp> timestamps) => Timestamps = timestamps;

    /// <summary>The partitions with the timestamp to start each at.</summary>
    public IReadOnlyList<TopicPartitionTimestamp> Timestamps { get; }

    /// <inheritdoc />
    public override string ToString() => $"AssignmentOffsetsForTimes({string.Join(", ", Timestamps.Select(t => $"{t.TopicPartition}@{t.Timestamp.UnixTimestampMs}"))})";
}
