namespace Pipelines.FrontDoors.Broker;

/// <summary>What happens to a message whose handler failed. A failed message is never skipped.</summary>
public enum BrokerRetryMode
{
    /// <summary>
    /// Retried in place with backoff until it succeeds (its key waits; under per-key ordering the other keys go on). The
    /// subscription stops only when told to; a message still failing then is consumed again by the next subscriber.
    /// </summary>
    Forever,

    /// <summary>
    /// The retry route (<c>pipelines.retry</c>): retries in place, then non-blocking retries through the delay tiers to the
    /// group's retry topic (a delay router must run), then the group's dead-letter topic.
    /// </summary>
    Route,
}
