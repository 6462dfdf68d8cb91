using System.Globalization;
using System.Text;
using Pipelines.Host.Topology;
using Pipelines.Hosting;

namespace Pipelines.Host.Commands;

/// <summary>
/// One plain status line per interval on stderr, from the pipeline registry: per pipeline its state, records consumed,
/// committed position and lag, then what the topology did in this process. (A live view can take this file's place.)
/// </summary>
internal static class MainJobStatus
{
    public static async Task RunAsync(IPipelineRegistry registry, TopologyCounters counters, TimeSpan interval, TextWriter messages, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await messages.WriteLineAsync(Line(registry, counters)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary><c>status orders=Running consumed=… committed=… lag=… | … | generated=… poison=… results=… reminders=scheduled/received</c>.</summary>
    public static string Line(IPipelineRegistry registry, TopologyCounters counters)
    {
        var line = new StringBuilder("status");
        foreach (var status in registry.GetStatuses())
        {
            var committed = status.Metrics.Partitions.Values.Sum(p => Math.Max(p.CommittedOffset, 0));
            line.Append(CultureInfo.InvariantCulture, $" {status.Name}={status.State} consumed={status.Metrics.RecordsReceived} committed={committed} lag={status.Lag}");
            if (status.Restarts > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $" restarts={status.Restarts}");
            }

            line.Append(" |");
        }

        line.Append(CultureInfo.InvariantCulture, $" generated={counters.Generated} poison={counters.Poison} results={counters.Results} reminders={counters.RemindersScheduled}/{counters.RemindersReceived}");
        return line.ToString();
    }
}
