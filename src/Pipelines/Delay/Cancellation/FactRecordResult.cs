namespace Pipelines.Delay;

/// <summary>What <see cref="CancellationRegistry.Record"/> did with a fact.</summary>
public enum FactRecordResult
{
    /// <summary>The fact is new and is now held.</summary>
    Added = 1,

    /// <summary>The registry already held this fact (records are read again after a restart or rebalance).</summary>
    AlreadyKnown = 2,

    /// <summary>The registry does not keep facts of this kind (a router's registry keeps only cancellations).</summary>
    NotKept = 3,

    /// <summary>The fact's message was due longer ago than the expiry margin; it no longer matters.</summary>
    Expired = 4,

    /// <summary>
    /// The registry is full of cancellations and did not record the fact. For a Scheduled or Delivered fact this only
    /// weakens a later cancel's answer; for a Cancelled fact the owner must stop delivering (a router fails) rather than
    /// risk delivering a cancelled message.
    /// </summary>
    Full = 5,
}
