namespace Pipelines.Delay;

/// <summary>
/// What a delayed message carries in its headers besides the user's own: its id, when it is due, where it goes and when
/// it was scheduled. Written by <see cref="DelayHeaders.Write"/>, read by <see cref="DelayHeaders.Read"/>.
/// </summary>
/// <param name="Id">The message's unique id (it also carries <paramref name="DueTime"/> to the millisecond).</param>
/// <param name="DueTime">When the message is due; it is never delivered earlier (by the router's clock).</param>
/// <param name="TargetTopic">The topic the message is delivered to.</param>
/// <param name="TargetPartition">The target partition, or <see langword="null"/> to let the target's partitioner choose by key.</param>
/// <param name="ScheduledAt">When the message was scheduled.</param>
public readonly record struct DelayEnvelope(DelayMessageId Id, DateTimeOffset DueTime, string TargetTopic, int? TargetPartition, DateTimeOffset ScheduledAt);
