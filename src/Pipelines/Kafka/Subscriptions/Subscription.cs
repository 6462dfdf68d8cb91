namespace Pipelines.Kafka;

/// <summary>
/// What a consumer reads: topics or a topic pattern with group-managed partitions (<see cref="AutoSubscription"/>), or
/// partitions assigned by hand (<see cref="ManualSubscription"/>). Immutable; create one with <see cref="Subscriptions"/>.
/// </summary>
public abstract class Subscription
{
    private protected Subscription()
    {
    }
}
