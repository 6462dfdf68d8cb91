namespace Pipelines.Delay;

/// <summary>One fact about a delayed message, as stored on the cancellation topic (see <see cref="CancellationRecords"/>).</summary>
/// <param name="Id">The message's id; it carries the due time that decides when the fact expires.</param>
/// <param name="Kind">What happened.</param>
/// <param name="At">When it happened, by the writer's clock.</param>
public readonly record struct DelayFact(DelayMessageId Id, DelayFactKind Kind, DateTimeOffset At);
