namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// A running subscription (Kratos' <c>broker.Subscriber</c>): its topic and consumer group, what it did, and how to stop it.
/// </summary>
public interface IKafkaSubscription : IAsyncDisposable
{
    /// <summary>The topic it reads.</summary>
    string Topic { get; }

    /// <summary>The consumer group (Kratos' queue).</summary>
    string Queue { get; }

    /// <summary>Messages handled (the handler returned), failures retried and messages sent to the dead-letter topic so far.</summary>
    BrokerSubscriptionMetrics Metrics { get; }

    /// <summary>
    /// Completes when the subscription has stopped: after <see cref="StopAsync"/>, or faulted when it failed (a dead letter
    /// or retry that could not be stored, a consumer that failed). Offsets of messages not done are not committed.
    /// </summary>
    Task Completion { get; }

    /// <summary>
    /// Stops reading, lets the messages in flight finish, commits their offsets and leaves the group (Kratos'
    /// <c>Unsubscribe</c>, which does not drain). Handlers still running after the broker's drain timeout are cancelled,
    /// and their messages are consumed again by the next subscriber (the stop still completes; <see cref="Completion"/>
    /// is then cancelled). Idempotent.
    /// </summary>
    /// <exception cref="Exception">The subscription had failed (the failure that ended it).</exception>
    Task StopAsync();
}
