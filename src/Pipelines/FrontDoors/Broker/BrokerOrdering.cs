namespace Pipelines.FrontDoors.Broker;

/// <summary>The order in which a subscription hands messages to its handler.</summary>
public enum BrokerOrdering
{
    /// <summary>One message of a key at a time, in partition order; different keys in parallel (up to the concurrency).</summary>
    PerKey,

    /// <summary>Messages in parallel up to the concurrency, in no order.</summary>
    Unordered,
}
