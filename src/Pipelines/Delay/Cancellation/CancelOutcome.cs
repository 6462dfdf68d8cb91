namespace Pipelines.Delay;

/// <summary>The answer to cancelling a delayed message (see <see cref="CancellationRegistry.CheckCancel"/>).</summary>
public enum CancelOutcome
{
    /// <summary>The cancel was accepted before the message was due: once its record is acknowledged, the message is never delivered.</summary>
    Cancelled = 1,

    /// <summary>The message was already cancelled; nothing more is written.</summary>
    AlreadyCancelled = 2,

    /// <summary>The message was already delivered; cancelling it has no effect.</summary>
    AlreadyDelivered = 3,

    /// <summary>
    /// The message is due and no delivery is known yet: the cancel is still recorded and stops a router that has not
    /// delivered the message, but delivery may already be under way.
    /// </summary>
    TooLate = 4,

    /// <summary>No message with this id is known: it was never scheduled, or its facts expired.</summary>
    Unknown = 5,
}
