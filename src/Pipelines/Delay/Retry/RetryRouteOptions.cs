using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// What a <see cref="RetryRoute{TKey, TValue}"/> works with: the consumer group it serves, its retry policy, the delay
/// queue that carries non-blocking retries, and the producer of dead letters. Change a copy with <c>with { … }</c>.
/// </summary>
public sealed record RetryRouteOptions
{
    /// <summary>The consumer group whose messages the route processes; it names the retry and dead-letter topics.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>The in-place retries, the decision after them, the topics and the clock (<see cref="RetryPolicy.TimeProvider"/>).</summary>
    public required RetryPolicy Policy { get; init; }

    /// <summary>The delay queue that stores non-blocking retries in its tiers until due; its router delivers them to the retry topic.</summary>
    public required DelayQueue DelayQueue { get; init; }

    /// <summary>
    /// The producer of dead letters (and, with preserve-key-order on, of retry-topic messages). It must wait for every
    /// in-sync replica (<c>acks=all</c>): a message's offset is committed once its dead letter is acknowledged. The route
    /// neither flushes nor disposes it; one from <see cref="Kafka.KafkaProducer.CreateProducer{TKey, TValue}"/> can be
    /// shared with the delay queue.
    /// </summary>
    public required IProducer<byte[], byte[]> Producer { get; init; }

    /// <summary>Where the route counts what it did.</summary>
    /// <value>Defaults to a new instance of its own.</value>
    public RetryMetrics Metrics { get; init; } = new();

    /// <summary>
    /// Cancelled when the application stops: the handler's token. A message whose handler is cancelled by it is neither
    /// retried nor dead-lettered; the stream fails with the cancellation and the message's offset is not committed.
    /// </summary>
    /// <value>Defaults to <see cref="CancellationToken.None"/>.</value>
    public CancellationToken StoppingToken { get; init; }
}
