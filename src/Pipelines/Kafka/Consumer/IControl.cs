namespace Pipelines.Kafka;

/// <summary>
/// The materialized value of a Kafka source: stops it, shuts its consumer down (optionally after the stream drained) and
/// reports its metrics.
/// </summary>
/// <remarks>
/// The usual clean shutdown is <see cref="DrainAndShutdown{T}"/> with the committer sink's task: the source stops
/// emitting, the records already in the graph finish and are committed, then the consumer commits what is left, leaves its
/// group and closes. After <see cref="Stop"/> alone the consumer stays alive so that commits of in-flight records still
/// succeed; <see cref="Shutdown"/> ends it.
/// </remarks>
public interface IControl
{
    /// <summary>
    /// Completes once the source has left its consumer: for a source with a consumer of its own, once the consumer is
    /// closed; for an external source, once its processed offsets are committed and its partitions given up (the shared
    /// consumer closes when its last source leaves). Faults with the consumer's error, if any.
    /// </summary>
    Task IsShutdown { get; }

    /// <summary>A snapshot of the consumer's counters and partitions.</summary>
    ConsumerMetrics Metrics { get; }

    /// <summary>
    /// Stops emitting: the source completes its output (partition substreams emit what is already buffered, then complete);
    /// the consumer keeps its partitions paused and keeps serving commits until <see cref="Shutdown"/>.
    /// </summary>
    /// <returns>A task that completes when the source stage has stopped.</returns>
    Task Stop();

    /// <summary>Stops the source, commits every processed offset, leaves the group and closes the consumer (a shared consumer when this was its last source).</summary>
    /// <returns>A task that completes when the consumer is closed (faults if it failed).</returns>
    Task Shutdown();

    /// <summary>
    /// Stops the source, waits for <paramref name="streamCompletion"/> (in-flight records finish and are committed), then
    /// shuts the consumer down; completes with the stream's outcome.
    /// </summary>
    /// <param name="streamCompletion">The task that completes when the stream is done, typically the committer sink's.</param>
    Task DrainAndShutdown(Task streamCompletion);

    /// <summary>
    /// Stops the source, waits for <paramref name="streamCompletion"/>, shuts the consumer down and returns the stream's result.
    /// </summary>
    /// <typeparam name="T">The stream's result type.</typeparam>
    /// <param name="streamCompletion">The task that completes when the stream is done.</param>
    Task<T> DrainAndShutdown<T>(Task<T> streamCompletion);
}
