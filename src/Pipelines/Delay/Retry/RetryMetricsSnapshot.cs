namespace Pipelines.Delay;

/// <summary>The counts of a <see cref="RetryMetrics"/> at one moment.</summary>
/// <param name="Handled">Messages the handler completed without error (on the first attempt or a retry).</param>
/// <param name="RetriedInPlace">In-place retries made (each call of the handler after a failure, within one delivery).</param>
/// <param name="ScheduledForRetry">Messages sent on a non-blocking retry (through the delay tiers, or to the retry topic directly with preserve-key-order on), once acknowledged.</param>
/// <param name="FollowedIntoRetry">Messages sent to the retry topic unprocessed, behind an earlier message of their key (preserve-key-order on), once acknowledged.</param>
/// <param name="DeadLettered">Messages produced to the dead-letter topic, once acknowledged.</param>
/// <param name="Replayed">Dead letters sent back to their original topic by <see cref="DeadLetterReplayer"/>, once acknowledged.</param>
public readonly record struct RetryMetricsSnapshot(
    long Handled,
    long RetriedInPlace,
    long ScheduledForRetry,
    long FollowedIntoRetry,
    long DeadLettered,
    long Replayed);
