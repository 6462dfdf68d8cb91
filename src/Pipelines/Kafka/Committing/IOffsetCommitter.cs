namespace Pipelines.Kafka;

/// <summary>The side of a consumer that committable offsets report to: the owner of the partitions' ledgers.</summary>
internal interface IOffsetCommitter
{
    /// <summary>The consumer group id the offsets are committed for.</summary>
    string GroupId { get; }

    /// <summary>Marks an offset processed (any thread; applied by the consumer's poll thread).</summary>
    void MarkProcessed(CommittableOffset offset);

    /// <summary>
    /// Commits, for every partition this consumer still owns, the position below which every offset is processed
    /// (any thread); completes when the broker acknowledged it.
    /// </summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
