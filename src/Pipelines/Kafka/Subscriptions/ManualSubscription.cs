namespace Pipelines.Kafka;

/// <summary>A subscription to partitions chosen by hand: no group rebalancing (a group id is still needed to commit).</summary>
public abstract class ManualSubscription : Subscription
{
    private protected ManualSubscription()
    {
    }
}
