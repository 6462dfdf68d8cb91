namespace Pipelines.Delay;

/// <summary>A kind of fact about a delayed message on the cancellation topic; each kind is its own compacted key, so no fact overwrites another.</summary>
public enum DelayFactKind : byte
{
    /// <summary>The scheduling client stored the message (written before the message, when <c>record-schedules</c> is on).</summary>
    Scheduled = 1,

    /// <summary>A client asked for the message not to be delivered.</summary>
    Cancelled = 2,

    /// <summary>A router delivered the message and the target acknowledged it (when <c>record-deliveries</c> is on).</summary>
    Delivered = 3,
}
