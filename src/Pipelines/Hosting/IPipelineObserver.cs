namespace Pipelines.Hosting;

/// <summary>
/// Hears what happens to hosted pipelines (for metrics, traces or a live view): each method has an empty default, so an
/// observer implements only what it needs. Register one with <see cref="IPipelineRegistry.Subscribe"/>, or in the
/// service collection as <see cref="IPipelineObserver"/> (taken when the first pipeline starts).
/// </summary>
/// <remarks>
/// Calls come from the threads the pipelines run on, one at a time per pipeline; an observer must not block. An exception
/// an observer throws is logged as an error and does not affect the pipeline.
/// </remarks>
public interface IPipelineObserver
{
    /// <summary>An incarnation of <paramref name="pipeline"/> was materialized (1 for the first, 2 after the first restart, …).</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="incarnation">The incarnation's number.</param>
    void OnStarted(string pipeline, int incarnation)
    {
    }

    /// <summary>The current incarnation failed; unless its restarts are used up, the next one starts after the backoff.</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="failure">What ended the incarnation.</param>
    /// <param name="restarts">Restarts made so far.</param>
    void OnRestarting(string pipeline, Exception failure, int restarts)
    {
    }

    /// <summary>The pipeline failed for good: it could not be created, or it used up its restarts.</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="failure">The failure.</param>
    void OnFailed(string pipeline, Exception failure)
    {
    }

    /// <summary>Draining the pipeline on shutdown ended.</summary>
    /// <param name="result">What the drain did.</param>
    void OnDrained(PipelineDrainResult result)
    {
    }
}
