namespace Pipelines.Kafka;

/// <summary>
/// Something that can be committed to Kafka: the offset of one consumed record (<see cref="ICommittableOffset"/>) or a
/// batch of them (<see cref="CommittableOffsetBatch"/>). Hand it to a committer stage when its
/// processing is done.
/// </summary>
public interface ICommittable
{
    /// <summary>The number of record offsets this committable stands for (1 for one offset).</summary>
    long BatchSize { get; }

    /// <summary>
    /// Marks the offsets as processed and commits, for each partition, the position below which every offset is processed;
    /// completes when the broker acknowledged the commit. Prefer a committer stage, which batches commits.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (the commit may still happen).</param>
    /// <returns>A task that completes after the commit, or faults with the commit's error.</returns>
    Task CommitAsync(CancellationToken cancellationToken = default);
}
