using Pipelines.Hosting;
using Pipelines.Host.View;

namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>Snapshots for the renderers' tests.</summary>
internal static class ViewSnapshots
{
    public static ViewSnapshot Busy { get; } = new(
        TimeSpan.FromSeconds(12.4),
        TimeSpan.FromSeconds(1),
        [
            new PipelineView("orders", PipelineState.Running, 198, 197.4, 3, 16, 12, 190, 0, 0, 2400, 2390, 2300),
            new PipelineView("pipelines-delay-router", null, 2.5, null, null, null, null, null, null, 0, 30, null, null),
        ],
        new DelayView([new TierPending("1s", 12), new TierPending("5s", 40)], TimeSpan.FromMilliseconds(8), TimeSpan.FromMilliseconds(31.2), 3, 0));

    public static ViewSnapshot Idle { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), [], new DelayView([], null, null, null, null));
}
