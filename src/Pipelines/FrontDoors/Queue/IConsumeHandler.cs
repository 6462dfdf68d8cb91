namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// Handles the messages of a <see cref="KafkaQueue"/>: go-queue's <c>ConsumeHandler</c> (<c>Consume(ctx, key, value) error</c>).
/// </summary>
/// <remarks>
/// A completed task means the message is done: its offset may be committed. A thrown exception or a faulted task is a
/// failure: with <see cref="KafkaQueueOptions.Retry"/> the message is retried and then dead-lettered; without, the queue
/// fails and restarts, and the message is handled again (nothing is committed past it). Calls for one key never overlap
/// under <see cref="KafkaQueueOrdering.PerKey"/>; calls for different keys do, up to <see cref="KafkaQueueOptions.Processors"/>.
/// </remarks>
public interface IConsumeHandler
{
    /// <summary>Handles one message.</summary>
    /// <param name="context">The message: key, value, headers, topic, partition, offset and timestamp.</param>
    /// <param name="cancellationToken">Cancelled when the queue is shut down without draining (a drain lets calls finish).</param>
    /// <returns>A task that completes when the message is done.</returns>
    Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken);
}
