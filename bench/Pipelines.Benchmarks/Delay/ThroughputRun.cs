using System.Diagnostics;

namespace Pipelines.Benchmarks.Delay;

/// <summary>
/// One throughput run measured in its steady state: from the first record through to the last, with the process's CPU
/// over the same window, so that a consumer group's join and other start-up costs stay out of the rate.
/// </summary>
/// <param name="Rate">Records per second between the first and the last.</param>
/// <param name="CpuPerMessage">Process CPU microseconds per record over the same window (the embedded broker included).</param>
/// <param name="FirstAfter">How long the first record took from the start of the measurement.</param>
internal sealed record ThroughputRun(double Rate, double CpuPerMessage, TimeSpan FirstAfter)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>Waits until <paramref name="progress"/> reaches <paramref name="count"/>, noting when it first moved.</summary>
    public static async Task<ThroughputRun> MeasureAsync(Func<long> progress, int count, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var watch = Stopwatch.StartNew();
        var timeout = TimeSpan.FromSeconds(120);
        (TimeSpan At, TimeSpan Cpu, long Done)? first = null;
        while (true)
        {
            var done = progress();
            if (first is null && done > 0)
            {
                process.Refresh();
                first = (watch.Elapsed, process.TotalProcessorTime, done);
            }

            if (done >= count)
            {
                process.Refresh();
                var (at, cpu, firstDone) = first!.Value;
                var records = done - firstDone;
                var elapsed = watch.Elapsed - at;
                if (records <= 0 || elapsed <= TimeSpan.Zero)
                {
                    throw new InvalidOperationException($"All {count:N0} records arrived within one {Poll.TotalMilliseconds} ms poll: raise the count for a rate.");
                }

                return new ThroughputRun(records / elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMicroseconds / records, at);
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s with {done:N0} of {count:N0} records.");
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The faster of two runs (<paramref name="best"/> may be none yet).</summary>
    public static ThroughputRun Best(ThroughputRun? best, ThroughputRun run) => best is null || run.Rate > best.Rate ? run : best;

    /// <inheritdoc/>
    public override string ToString() => $"{Rate:N0} msg/s ({CpuPerMessage:F1} us CPU/msg, first after {FirstAfter.TotalMilliseconds:F0} ms)";
}
