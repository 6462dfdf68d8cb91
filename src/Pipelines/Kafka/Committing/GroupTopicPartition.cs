namespace Pipelines.Kafka;

/// <summary>A partition of a topic as seen by one consumer group: the key under which the group commits offsets.</summary>
/// <param name="GroupId">The consumer group id.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition number (0-based).</param>
public readonly record struct GroupTopicPartition(string GroupId, string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic} [{Partition}] (group {GroupId})";
}
