namespace Pipelines.Host.View;

/// <summary>What the live view shows for one interval.</summary>
/// <param name="Elapsed">Time since the view started.</param>
/// <param name="Interval">The time the rates and percentiles are over (since the previous snapshot).</param>
/// <param name="Pipelines">The hosted pipelines in registration order, then other clients seen on the meter by name.</param>
/// <param name="Delay">The delay queue's figures.</param>
internal sealed record ViewSnapshot(TimeSpan Elapsed, TimeSpan Interval, IReadOnlyList<PipelineView> Pipelines, DelayView Delay);
