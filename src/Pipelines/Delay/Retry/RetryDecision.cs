namespace Pipelines.Delay;

/// <summary>
/// The outcome of <see cref="RetryPolicy.Decide"/>: retry through the tiers or dead-letter, to which topic, when, and the
/// <see cref="FailureInfo"/> to write into the message's headers.
/// </summary>
public sealed record RetryDecision
{
    /// <summary>Retry through the tiers, or dead-letter.</summary>
    public required RetryAction Action { get; init; }

    /// <summary>The consumer group's retry topic (the delay envelope's target) or dead-letter topic.</summary>
    public required string Topic { get; init; }

    /// <summary>How long until the retry is due; zero for a dead letter.</summary>
    public required TimeSpan Delay { get; init; }

    /// <summary>When the retry is due (the delay envelope's due time); the decision's time for a dead letter.</summary>
    public required DateTimeOffset DueTime { get; init; }

    /// <summary>The headers to write: the original coordinates, the error, the attempt and failure times, and for a dead letter its reason.</summary>
    public required FailureInfo Failure { get; init; }
}
