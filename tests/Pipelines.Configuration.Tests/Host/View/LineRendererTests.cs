using Pipelines.Hosting;
using Pipelines.Host.View;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class LineRendererTests
{
    [Fact]
    public void Format_PipelinesAndDelay_WritesOneStableLine()
    {
        LineRenderer.Format(ViewSnapshots.Busy).Should().Be(
            "VIEW t=12s orders state=running in=198/s out=197/s lag=3 inflight=16 commits=12 committed=190/s restarts=0 failures=0"
            + " | pipelines-delay-router state=— in=2.5/s out=— lag=— inflight=— commits=— committed=— restarts=— failures=0"
            + " | delay pending 1s=12 5s=40 lateness p50=8ms p99=31ms retries=3 dead-letters=0");
    }

    [Fact]
    public void Format_NothingRecorded_ShowsDashesAndKeepsEveryKey()
    {
        LineRenderer.Format(ViewSnapshots.Idle).Should().Be(
            "VIEW t=1s pipelines=none | delay pending — lateness p50=— p99=— retries=— dead-letters=—");
    }

    [Fact]
    public void FormatSummary_DrainResults_WritesTotalsAndEachPipelinesOutcome()
    {
        var drained = new[] { new PipelineDrainResult("orders", PipelineDrainOutcome.TimedOut, PipelineState.Draining, 0, TimeSpan.FromSeconds(30), null) };

        LineRenderer.FormatSummary(ViewSnapshots.Busy, drained).Should().Be(
            "VIEW summary t=12s orders state=running consumed=2400 produced=2390 committed=2300 restarts=0 failures=0 drain=timed-out"
            + " | pipelines-delay-router state=— consumed=30 produced=— committed=— restarts=— failures=0 drain=—"
            + " | delay pending 1s=12 5s=40 retries=3 dead-letters=0");
    }

    [Fact]
    public async Task RunAsync_EachSnapshot_WritesOneLine()
    {
        using var output = new StringWriter();
        var renderer = new LineRenderer(output);

        await renderer.RunAsync(show =>
        {
            show(ViewSnapshots.Idle);
            show(ViewSnapshots.Busy);
            return Task.CompletedTask;
        });
        renderer.WriteSummary(ViewSnapshots.Idle, drained: null);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        lines[0].Should().StartWith("VIEW t=1s ");
        lines[1].Should().StartWith("VIEW t=12s orders ");
        lines[2].Should().Be("VIEW summary t=1s pipelines=none | delay pending — retries=— dead-letters=—");
    }
}
