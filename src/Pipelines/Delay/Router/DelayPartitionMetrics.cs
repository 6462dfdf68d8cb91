namespace Pipelines.Delay;

/// <summary>One tier partition a router owns, in <see cref="DelayTierMetrics"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Held">Records held in its reorder and hold buffers.</param>
/// <param name="HeadEligibleAt">When its earliest held record may leave its buffer (move on after the tier's delay, or be delivered when due), or <see langword="null"/> when it holds none.</param>
/// <param name="Buffered">Records waiting in the consumer's buffer.</param>
/// <param name="Lag">The consumer lag, or -1 when unknown.</param>
/// <param name="Paused">Whether the consumer paused the partition (its reorder buffer is full and nothing in it may move on).</param>
public sealed record DelayPartitionMetrics(int Partition, int Held, DateTimeOffset? HeadEligibleAt, long Buffered, long Lag, bool Paused);
