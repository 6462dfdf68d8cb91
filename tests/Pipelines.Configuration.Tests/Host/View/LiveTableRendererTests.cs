using Pipelines.Hosting;
using Pipelines.Host.View;
using Spectre.Console.Testing;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class LiveTableRendererTests
{
    [Fact]
    public void Render_Snapshot_ShowsEveryColumnAndTheRowsFigures()
    {
        var console = new TestConsole().Width(200).SupportsUnicode(true);

        console.Write(LiveTableRenderer.Render(ViewSnapshots.Busy));

        var output = console.Output;
        foreach (var column in LiveTableRenderer.PipelineColumns.Concat(LiveTableRenderer.DelayColumns))
        {
            output.Should().Contain(column);
        }

        var orders = console.Lines.Single(l => l.Contains("orders", StringComparison.Ordinal) && !l.Contains("router", StringComparison.Ordinal));
        Cells(orders).Should().Equal(["orders", "running", "198/s", "197/s", "3", "16", "12", "190/s", "0", "0"]);
        var router = console.Lines.Single(l => l.Contains("pipelines-delay-router", StringComparison.Ordinal));
        Cells(router).Should().Equal(["pipelines-delay-router", "—", "2.5/s", "—", "—", "—", "—", "—", "—", "0"]);
        var delay = console.Lines.Single(l => l.Contains("1s=12", StringComparison.Ordinal));
        Cells(delay).Should().Equal(["1s=12 5s=40", "8ms", "31ms", "3", "0"]);
        output.Should().Contain("t=12s");
    }

    [Fact]
    public async Task RunAsync_LiveDisplay_RedrawsTheTableWithEachSnapshot()
    {
        var console = new TestConsole().Width(200).SupportsUnicode(true);
        var renderer = new LiveTableRenderer(console);

        await renderer.RunAsync(show =>
        {
            show(ViewSnapshots.Idle);
            show(ViewSnapshots.Busy);
            return Task.CompletedTask;
        });

        console.Output.Should().Contain("no pipelines").And.Contain("198/s").And.Contain("pipelines-delay-router");
    }

    [Fact]
    public void WriteSummary_DrainResults_ShowsTotalsAndOutcomes()
    {
        var console = new TestConsole().Width(200).SupportsUnicode(true);
        var renderer = new LiveTableRenderer(console);

        renderer.WriteSummary(ViewSnapshots.Busy, [new PipelineDrainResult("orders", PipelineDrainOutcome.Drained, PipelineState.Stopped, 0, TimeSpan.FromSeconds(30), null)]);

        foreach (var column in LiveTableRenderer.SummaryColumns)
        {
            console.Output.Should().Contain(column);
        }

        var orders = console.Lines.Single(l => l.Contains("orders", StringComparison.Ordinal) && !l.Contains("router", StringComparison.Ordinal));
        Cells(orders).Should().Equal(["orders", "running", "2400", "2390", "2300", "0", "0", "drained"]);
        console.Output.Should().Contain("retries 3").And.Contain("dead letters 0");
    }

    // A table row as its cells: the text between the border characters, trimmed.
    private static string[] Cells(string line) =>
        [.. line.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).Where(c => c.Length > 0)];
}
