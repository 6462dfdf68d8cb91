namespace Pipelines.Delay;

/// <summary>
/// Counters of a retry route and dead-letter replays, safe to update from many threads and read at any time through
/// <see cref="Snapshot"/>. Share one instance between a <see cref="RetryRoute{TKey, TValue}"/> and a
/// <see cref="DeadLetterReplayer"/> to count a consumer group's whole failure path in one place.
/// </summary>
public sealed class RetryMetrics
{
    private long _handled;
    private long _retriedInPlace;
    private long _scheduledForRetry;
    private long _followedIntoRetry;
    private long _deadLettered;
    private long _replayed;

    /// <summary>The counts so far.</summary>
    public RetryMetricsSnapshot Snapshot() => new(
        Interlocked.Read(ref _handled),
        Interlocked.Read(ref _retriedInPlace),
        Interlocked.Read(ref _scheduledForRetry),
        Interlocked.Read(ref _followedIntoRetry),
        Interlocked.Read(ref _deadLettered),
        Interlocked.Read(ref _replayed));

    internal void Handled() => Interlocked.Increment(ref _handled);

    internal void RetriedInPlace() => Interlocked.Increment(ref _retriedInPlace);

    internal void ScheduledForRetry() => Interlocked.Increment(ref _scheduledForRetry);

    internal void FollowedIntoRetry() => Interlocked.Increment(ref _followedIntoRetry);

    internal void DeadLettered() => Interlocked.Increment(ref _deadLettered);

    internal void Replayed(long count) => Interlocked.Add(ref _replayed, count);
}
