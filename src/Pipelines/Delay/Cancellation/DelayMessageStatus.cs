namespace Pipelines.Delay;

/// <summary>What a <see cref="CancellationRegistry"/> knows about a delayed message.</summary>
public enum DelayMessageStatus
{
    /// <summary>No fact about the id: never scheduled (with <c>record-schedules</c> on), expired, or not kept.</summary>
    Unknown = 0,

    /// <summary>Scheduled, and neither cancelled nor delivered yet.</summary>
    Scheduled = 1,

    /// <summary>Cancelled and not delivered.</summary>
    Cancelled = 2,

    /// <summary>Delivered (a cancel that came too late does not change that).</summary>
    Delivered = 3,
}
