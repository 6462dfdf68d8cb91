namespace Pipelines.Delay;

/// <summary>
/// A message the delay queue stored: its id (for <see cref="DelayQueue.CancelAsync"/> and for consumers dropping
/// duplicates), when it is due, and the tier topic, partition and offset where the broker acknowledged it.
/// </summary>
/// <param name="Id">The message's id; it carries <paramref name="DueTime"/> and is delivered in the <c>pipelines-delay-id</c> header.</param>
/// <param name="DueTime">When the message is due: the requested time rounded up to the millisecond, never earlier.</param>
/// <param name="TargetTopic">The topic the message is delivered to.</param>
/// <param name="TargetPartition">The target partition, or <see langword="null"/> when the target's partitioner chooses.</param>
/// <param name="ScheduledAt">When it was scheduled, by the queue's clock (also the stored record's timestamp).</param>
/// <param name="Tier">The tier it was written to.</param>
/// <param name="Partition">The partition of the tier topic it was stored in.</param>
/// <param name="Offset">Its offset in that partition.</param>
public sealed record ScheduledMessage(
    DelayMessageId Id,
    DateTimeOffset DueTime,
    string TargetTopic,
    int? TargetPartition,
    DateTimeOffset ScheduledAt,
    DelayTier Tier,
    int Partition,
    long Offset)
{
    /// <summary>The tier topic the message was stored in.</summary>
    public string Topic => Tier.Topic;
}
