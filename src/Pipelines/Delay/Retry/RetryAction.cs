namespace Pipelines.Delay;

/// <summary>What happens to a message whose processing failed after its in-place retries.</summary>
public enum RetryAction
{
    /// <summary>It goes through the delay tiers to the consumer group's retry topic, due after <see cref="RetryDecision.Delay"/>.</summary>
    RetryThroughTiers = 1,

    /// <summary>It goes to the consumer group's dead-letter topic.</summary>
    DeadLetter = 2,
}
