namespace Pipelines.Kafka;

/// <summary>
/// A source's <see cref="IControl"/> together with the stream's completion, so that one call drains the stream and shuts
/// the consumer down: <c>.ToMaterialized(Committer.Sink(settings), DrainingControl&lt;Done&gt;.Create)</c>, then
/// <see cref="DrainAndShutdown()"/>.
/// </summary>
/// <typeparam name="T">The stream's result type (the sink's materialized task result).</typeparam>
public sealed class DrainingControl<T> : IControl
{
    private DrainingControl(IControl control, Task<T> streamCompletion)
    {
        Control = control;
        StreamCompletion = streamCompletion;
    }

    /// <summary>The source's control.</summary>
    public IControl Control { get; }

    /// <summary>Completes when the stream completed (typically the committer sink's task).</summary>
    public Task<T> StreamCompletion { get; }

    /// <inheritdoc />
    public Task IsShutdown => Control.IsShutdown;

    /// <inheritdoc />
    public ConsumerMetrics Metrics => Control.Metrics;

    /// <summary>Combines a source's control and the stream's completion (a function for <c>ToMaterialized</c>).</summary>
    /// <param name="control">The source's control.</param>
    /// <param name="streamCompletion">The stream's completion.</param>
    public static DrainingControl<T> Create(IControl control, Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(streamCompletion);
        return new DrainingControl<T>(control, streamCompletion);
    }

    /// <summary>Combines the pair <c>Keep.Both</c> materializes.</summary>
    /// <param name="materialized">The source's control and the stream's completion.</param>
    public static DrainingControl<T> Create((IControl Control, Task<T> StreamCompletion) materialized) =>
        Create(materialized.Control, materialized.StreamCompletion);

    /// <summary>
    /// Stops the source, waits for the stream to complete (in-flight records finish and are committed), then shuts the
    /// consumer down; completes with the stream's result, or faults with its failure.
    /// </summary>
    public Task<T> DrainAndShutdown() => Control.DrainAndShutdown(StreamCompletion);

    /// <inheritdoc />
    public Task Stop() => Control.Stop();

    /// <inheritdoc />
    public Task Shutdown() => Control.Shutdown();

    /// <inheritdoc />
    public Task DrainAndShutdown(Task streamCompletion) => Control.DrainAndShutdown(streamCompletion);

    /// <inheritdoc />
    public Task<TResult> DrainAndShutdown<TResult>(Task<TResult> streamCompletion) => Control.DrainAndShutdown(streamCompletion);
}
