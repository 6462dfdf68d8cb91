namespace Pipelines.Hosting;

/// <summary>How draining one pipeline ended when the host stopped.</summary>
public enum PipelineDrainOutcome
{
    /// <summary>It stopped consuming, finished its in-flight records, committed and closed within the drain timeout.</summary>
    Drained,

    /// <summary>No incarnation was running (it was restarting, had stopped or had failed); nothing was left to drain.</summary>
    NotRunning,

    /// <summary>Draining did not finish within <c>drain-timeout</c>; records still in flight are delivered again later.</summary>
    TimedOut,

    /// <summary>The stream failed while draining (<see cref="PipelineDrainResult.Error"/> says why).</summary>
    Failed,
}
