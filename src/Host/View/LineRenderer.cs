using System.Text;
using Pipelines.Hosting;

namespace Pipelines.Host.View;

/// <summary>
/// The view as plain text, one line per interval, for logs and pipes: <c>VIEW t=12s orders state=running in=198/s …
/// | delay pending 1s=12 5s=40 lateness p50=8ms p99=31ms retries=0 dead-letters=0</c>. Keys are stable and always present,
/// values have no spaces, so the lines can be grepped and split on spaces and <c> | </c>.
/// </summary>
internal sealed class LineRenderer(TextWriter output) : IViewRenderer
{
    /// <summary>The first word of every line the view writes.</summary>
    public const string Prefix = "VIEW";

    /// <summary>The line for one interval.</summary>
    public static string Format(ViewSnapshot snapshot)
    {
        var line = new StringBuilder(Prefix).Append(" t=").Append(ViewFormat.Elapsed(snapshot.Elapsed));
        Pipelines(line, snapshot, p =>
            $"{p.Name} state={ViewFormat.State(p.State)} in={ViewFormat.Rate(p.InRate)} out={ViewFormat.Rate(p.OutRate)} "
            + $"lag={ViewFormat.Count(p.Lag)} inflight={ViewFormat.Count(p.InFlight)} commits={ViewFormat.Count(p.Commits)} "
            + $"committed={ViewFormat.Rate(p.CommittedRate)} restarts={ViewFormat.Count(p.Restarts)} failures={ViewFormat.Count(p.Failures)}");
        var delay = snapshot.Delay;
        line.Append(" | delay pending ").Append(ViewFormat.Pending(delay.Pending))
            .Append(" lateness p50=").Append(ViewFormat.Duration(delay.LatenessP50))
            .Append(" p99=").Append(ViewFormat.Duration(delay.LatenessP99));
        Retries(line, delay);
        return line.ToString();
    }

    /// <summary>The final line: totals since the view started and each pipeline's drain outcome.</summary>
    public static string FormatSummary(ViewSnapshot final, IReadOnlyList<PipelineDrainResult>? drained)
    {
        var line = new StringBuilder(Prefix).Append(" summary t=").Append(ViewFormat.Elapsed(final.Elapsed));
        Pipelines(line, final, p =>
            $"{p.Name} state={ViewFormat.State(p.State)} consumed={ViewFormat.Count(p.Consumed)} produced={ViewFormat.Count(p.Produced)} "
            + $"committed={ViewFormat.Count(p.Committed)} restarts={ViewFormat.Count(p.Restarts)} failures={ViewFormat.Count(p.Failures)} "
            + $"drain={ViewFormat.Outcome(drained?.FirstOrDefault(d => d.Name == p.Name)?.Outcome)}");
        line.Append(" | delay pending ").Append(ViewFormat.Pending(final.Delay.Pending));
        Retries(line, final.Delay);
        return line.ToString();
    }

    /// <inheritdoc />
    public async Task RunAsync(Func<Action<ViewSnapshot>, Task> produce)
    {
        ArgumentNullException.ThrowIfNull(produce);
        await produce(snapshot =>
        {
            output.WriteLine(Format(snapshot));
            output.Flush();
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void WriteSummary(ViewSnapshot final, IReadOnlyList<PipelineDrainResult>? drained)
    {
        output.WriteLine(FormatSummary(final, drained));
        output.Flush();
    }

    private static void Pipelines(StringBuilder line, ViewSnapshot snapshot, Func<PipelineView, string> format)
    {
        if (snapshot.Pipelines.Count == 0)
        {
            line.Append(" pipelines=none");
            return;
        }

        for (var i = 0; i < snapshot.Pipelines.Count; i++)
        {
            line.Append(i == 0 ? " " : " | ").Append(format(snapshot.Pipelines[i]));
        }
    }

    private static void Retries(StringBuilder line, DelayView delay) =>
        line.Append(" retries=").Append(ViewFormat.Count(delay.Retries))
            .Append(" dead-letters=").Append(ViewFormat.Count(delay.DeadLetters));
}
