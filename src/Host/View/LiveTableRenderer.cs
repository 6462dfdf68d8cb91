using Pipelines.Hosting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pipelines.Host.View;

/// <summary>
/// The view as a table redrawn in place every interval (Spectre.Console's live display): a row per pipeline, then the
/// delay queue's figures. When the host has stopped, the last table stays and a summary table follows it.
/// </summary>
internal sealed class LiveTableRenderer(IAnsiConsole console) : IViewRenderer
{
    /// <summary>The pipeline table's column headers, in order.</summary>
    public static readonly IReadOnlyList<string> PipelineColumns =
        ["pipeline", "state", "in", "out", "lag", "in-flight", "commits", "committed", "restarts", "failures"];

    /// <summary>The delay table's column headers, in order.</summary>
    public static readonly IReadOnlyList<string> DelayColumns = ["delay pending", "lateness p50", "lateness p99", "retries", "dead letters"];

    /// <summary>The summary table's column headers, in order.</summary>
    public static readonly IReadOnlyList<string> SummaryColumns =
        ["pipeline", "state", "consumed", "produced", "committed", "restarts", "failures", "drain"];

    /// <summary>What one interval looks like.</summary>
    public static IRenderable Render(ViewSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pipelines = NewTable(PipelineColumns, $"Pipelines  t={ViewFormat.Elapsed(snapshot.Elapsed)}  (rates per second over {ViewFormat.Duration(snapshot.Interval)})");
        foreach (var p in snapshot.Pipelines)
        {
            pipelines.AddRow(
                Markup.Escape(p.Name),
                State(p.State),
                ViewFormat.Rate(p.InRate),
                ViewFormat.Rate(p.OutRate),
                ViewFormat.Count(p.Lag),
                ViewFormat.Count(p.InFlight),
                ViewFormat.Count(p.Commits),
                ViewFormat.Rate(p.CommittedRate),
                ViewFormat.Count(p.Restarts),
                ViewFormat.Count(p.Failures));
        }

        if (snapshot.Pipelines.Count == 0)
        {
            pipelines.Caption("no pipelines");
        }

        var delay = snapshot.Delay;
        var delays = NewTable(DelayColumns, title: null);
        delays.AddRow(
            ViewFormat.Pending(delay.Pending),
            ViewFormat.Duration(delay.LatenessP50),
            ViewFormat.Duration(delay.LatenessP99),
            ViewFormat.Count(delay.Retries),
            ViewFormat.Count(delay.DeadLetters));
        return new Rows(pipelines, delays);
    }

    /// <summary>The summary: totals since the view started and each pipeline's drain outcome.</summary>
    public static IRenderable RenderSummary(ViewSnapshot final, IReadOnlyList<PipelineDrainResult>? drained)
    {
        ArgumentNullException.ThrowIfNull(final);
        var table = NewTable(SummaryColumns, $"Summary  t={ViewFormat.Elapsed(final.Elapsed)}");
        foreach (var p in final.Pipelines)
        {
            table.AddRow(
                Markup.Escape(p.Name),
                State(p.State),
                ViewFormat.Count(p.Consumed),
                ViewFormat.Count(p.Produced),
                ViewFormat.Count(p.Committed),
                ViewFormat.Count(p.Restarts),
                ViewFormat.Count(p.Failures),
                ViewFormat.Outcome(drained?.FirstOrDefault(d => d.Name == p.Name)?.Outcome));
        }

        if (final.Pipelines.Count == 0)
        {
            table.Caption("no pipelines");
        }

        var delay = final.Delay;
        return new Rows(
            table,
            new Markup($"delay pending {Markup.Escape(ViewFormat.Pending(delay.Pending))}, retries {ViewFormat.Count(delay.Retries)}, dead letters {ViewFormat.Count(delay.DeadLetters)}"));
    }

    /// <inheritdoc />
    public Task RunAsync(Func<Action<ViewSnapshot>, Task> produce)
    {
        ArgumentNullException.ThrowIfNull(produce);
        var empty = new ViewSnapshot(TimeSpan.Zero, TimeSpan.Zero, [], new DelayView([], null, null, null, null));
        return console.Live(Render(empty)).AutoClear(false).StartAsync(context => produce(snapshot =>
        {
            context.UpdateTarget(Render(snapshot));
            context.Refresh();
        }));
    }

    /// <inheritdoc />
    public void WriteSummary(ViewSnapshot final, IReadOnlyList<PipelineDrainResult>? drained) => console.Write(RenderSummary(final, drained));

    private static Table NewTable(IReadOnlyList<string> columns, string? title)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title(title);
        }

        foreach (var column in columns)
        {
            // Figures never wrap: a narrow terminal crops them instead of breaking a row over several lines.
            var header = new TableColumn(column).NoWrap();
            table.AddColumn(column == columns[0] ? header : header.RightAligned());
        }

        return table;
    }

    private static string State(PipelineState? state) => state switch
    {
        PipelineState.Running => "[green]running[/]",
        PipelineState.Restarting or PipelineState.Starting or PipelineState.Draining => $"[yellow]{ViewFormat.State(state)}[/]",
        PipelineState.Failed => "[red]failed[/]",
        _ => ViewFormat.State(state),
    };
}
