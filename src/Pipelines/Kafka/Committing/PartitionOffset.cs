namespace Pipelines.Kafka;

/// <summary>The offset of one consumed record in its group, topic and partition.</summary>
/// <param name="Key">The group, topic and partition.</param>
/// <param name="Offset">The record's offset; committing it stores <c>Offset + 1</c>, the next offset to read.</param>
public readonly record struct PartitionOffset(GroupTopicPartition Key, long Offset)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key.Topic} [{Key.Partition}] @{Offset} (group {Key.GroupId})";
}
