namespace Pipelines.Hosting;

/// <summary>
/// The hosted pipelines of an actor system and their state: <see cref="PipelineRegistry.For"/>, or
/// <see cref="IPipelineRegistry"/> from the service provider after <c>AddPipelines</c>.
/// </summary>
public interface IPipelineRegistry
{
    /// <summary>The names of the registered pipelines, in registration order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Completes once CoordinatedShutdown has drained every pipeline, with one result per pipeline in registration order.
    /// </summary>
    Task<IReadOnlyList<PipelineDrainResult>> Drained { get; }

    /// <summary>A snapshot of the pipeline named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No pipeline has that name.</exception>
    PipelineStatus GetStatus(string name);

    /// <summary>Snapshots of every pipeline, in registration order.</summary>
    IReadOnlyList<PipelineStatus> GetStatuses();

    /// <summary>Adds an observer of every pipeline's life (started, restarting, failed, drained).</summary>
    /// <param name="observer">The observer; it hears only what happens after this call.</param>
    void Subscribe(IPipelineObserver observer);
}
