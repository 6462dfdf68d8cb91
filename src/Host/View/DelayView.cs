namespace Pipelines.Host.View;

/// <summary>The delay queue's part of the live view; null means nothing was recorded (shown as <c>—</c>).</summary>
/// <param name="Pending">Messages held per tier, in tier order; empty while no router recorded any.</param>
/// <param name="LatenessP50">The median lateness of deliveries in the last interval.</param>
/// <param name="LatenessP99">The 99th percentile lateness of deliveries in the last interval.</param>
/// <param name="Retries">Retries of failed processing since the view started.</param>
/// <param name="DeadLetters">Records sent to dead-letter topics since the view started.</param>
internal sealed record DelayView(
    IReadOnlyList<TierPending> Pending,
    TimeSpan? LatenessP50,
    TimeSpan? LatenessP99,
    long? Retries,
    long? DeadLetters);
