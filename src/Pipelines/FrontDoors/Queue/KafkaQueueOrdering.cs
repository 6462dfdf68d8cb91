namespace Pipelines.FrontDoors.Queue;

/// <summary>How a <see cref="KafkaQueue"/> runs its handler over <see cref="KafkaQueueOptions.Processors"/> concurrent calls.</summary>
public enum KafkaQueueOrdering
{
    /// <summary>One message of a key at a time, in partition order; different keys in parallel (<c>SelectAsyncPartitioned</c>).</summary>
    PerKey,

    /// <summary>No order at all: any message may be handled before an earlier one (<c>SelectAsyncUnordered</c>).</summary>
    Unordered,
}
