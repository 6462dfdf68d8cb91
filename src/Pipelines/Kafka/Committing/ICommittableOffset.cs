namespace Pipelines.Kafka;

/// <summary>The committable offset of one consumed record, emitted with it by the committable sources.</summary>
/// <remarks>
/// A partition's commit position never passes an offset that was not marked processed. A record the graph drops on purpose
/// (filtered out, for example) must therefore still be accounted for: pass its committable to the committer, or call
/// <see cref="MarkProcessed"/>; otherwise the partition's commit position stays below it and a warning is logged once it has
/// waited longer than the consumer's commit-time warning.
/// </remarks>
public interface ICommittableOffset : ICommittable
{
    /// <summary>The group, topic, partition and offset of the record.</summary>
    PartitionOffset PartitionOffset { get; }

    /// <summary>
    /// Marks the record as processed without committing now: the next commit of its consumer may move past it. Use it for
    /// records the graph drops on purpose. Calling it more than once, or after the offset reached a committer, is harmless.
    /// </summary>
    void MarkProcessed();
}
