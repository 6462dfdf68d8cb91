namespace Pipelines.Delay;

/// <summary>One tier in <see cref="DelayRouterMetrics"/>: what is pending in it and what this router holds of it.</summary>
/// <param name="Topic">The tier's topic.</param>
/// <param name="Delay">The tier's delay.</param>
/// <param name="Pending">Records not yet consumed on the partitions this router owns (the consumer lag behind the committed offsets, from librdkafka's statistics), or -1 when unknown: before the first statistics, or while the group has committed nothing on a partition.</param>
/// <param name="Buffered">Records consumed and waiting in the consumer's buffers.</param>
/// <param name="Held">Records held in the reorder buffers until eligible.</param>
/// <param name="Partitions">The tier's partitions this router owns.</param>
public sealed record DelayTierMetrics(string Topic, TimeSpan Delay, long Pending, long Buffered, long Held, IReadOnlyList<DelayPartitionMetrics> Partitions);
