namespace Pipelines.Hosting;

/// <summary>What draining one pipeline did when the host stopped (logged, and kept in <see cref="IPipelineRegistry.Drained"/>).</summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="Outcome">Whether it drained, had nothing to drain, timed out or failed.</param>
/// <param name="State">The pipeline's state once the drain ended (<see cref="PipelineState.Draining"/> still, after a timeout).</param>
/// <param name="Restarts">How many times the pipeline was restarted during its life.</param>
/// <param name="DrainTimeout">The timeout the drain had.</param>
/// <param name="Error">The failure of a drain that failed.</param>
public sealed record PipelineDrainResult(
    string Name,
    PipelineDrainOutcome Outcome,
    PipelineState State,
    int Restarts,
    TimeSpan DrainTimeout,
    Exception? Error);
