namespace Pipelines.FrontDoors.Queue;

/// <summary>Where a <see cref="KafkaQueue"/>'s group starts on a partition it has no committed offset for (go-queue's <c>Offset</c>).</summary>
public enum KafkaQueueOffset
{
    /// <summary>The newest message: only what is produced from now on (<c>auto.offset.reset = latest</c>), go-queue's default.</summary>
    Last,

    /// <summary>The oldest message still stored (<c>auto.offset.reset = earliest</c>).</summary>
    First,
}
