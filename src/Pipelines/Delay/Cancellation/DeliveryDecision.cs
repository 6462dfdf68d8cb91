namespace Pipelines.Delay;

/// <summary>What a router does with a due message (see <see cref="CancellationRegistry.DecideDelivery"/>).</summary>
public enum DeliveryDecision
{
    /// <summary>Deliver it to its target.</summary>
    Deliver = 1,

    /// <summary>It was cancelled: commit its offset without delivering it.</summary>
    Drop = 2,

    /// <summary>It was already delivered (a redelivery after a crash): commit its offset without delivering it again.</summary>
    SkipDuplicate = 3,

    /// <summary>
    /// The registry has not yet read the cancellation topic as of the message's due time, so a cancel accepted before the
    /// due time might still be unread: hold the message until <see cref="CancellationRegistry.CaughtUpAsOf"/> reaches it.
    /// </summary>
    WaitForCancellations = 4,
}
