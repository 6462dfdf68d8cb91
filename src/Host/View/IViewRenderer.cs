using Pipelines.Hosting;

namespace Pipelines.Host.View;

/// <summary>Shows the live view's snapshots: as a live table, or as one line per interval.</summary>
internal interface IViewRenderer
{
    /// <summary>
    /// Shows what <paramref name="produce"/> produces: it runs the view's loop, calling the action it is given with each
    /// interval's snapshot, and the returned task completes when that loop has ended.
    /// </summary>
    Task RunAsync(Func<Action<ViewSnapshot>, Task> produce);

    /// <summary>Shows the final figures once the host has stopped: totals per pipeline and how each drain ended.</summary>
    /// <param name="final">The last snapshot, taken after the pipelines drained.</param>
    /// <param name="drained">The drain results, when the registry drained pipelines; otherwise null.</param>
    void WriteSummary(ViewSnapshot final, IReadOnlyList<PipelineDrainResult>? drained);
}
