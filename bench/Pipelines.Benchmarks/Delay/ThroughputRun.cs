using System.Diagnostics;
using Pipelines.Benchmarks.Kafka;

namespace Pipelines.Benchmarks.Delay;

/// <summary>
/// One throughput run measured in its steady state: a <see cref="Measure"/> from the first record through to the last,
/// so that a consumer group's join and other start-up costs stay out of the rate.
/// </summary>
/// <param name="Run">Records per second, process CPU (the embedded broker included) and allocation per record over that window.</param>
/// <param name="FirstAfter">How long the first record took from the start of the measurement.</param>
internal sealed record ThroughputRun(Run Run, TimeSpan FirstAfter)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>Records per second between the first and the last.</summary>
    public double Rate => Run.PerSecond;

    /// <summary>Process CPU microseconds per record over the same window.</summary>
    public double CpuPerMessage => Run.CpuMicroseconds;

    /// <summary>Waits until <paramref name="progress"/> reaches <paramref name="count"/>, measuring from when it first moved.</summary>
    public static async Task<ThroughputRun> MeasureAsync(Func<long> progress, int count, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var timeout = TimeSpan.FromSeconds(120);
        (Measure Measure, TimeSpan At, long Done)? first = null;
        while (true)
        {
            var done = progress();
            if (first is null && done > 0)
            {
                first = (Measure.Start(), watch.Elapsed, done);
            }

            if (done >= count)
            {
                var (measure, at, firstDone) = first!.Value;
                var records = done - firstDone;
                if (records <= 0)
                {
                    throw new InvalidOperationException($"All {count:N0} records arrived within one {Poll.TotalMilliseconds} ms poll: raise the count for a rate.");
                }

                return new ThroughputRun(measure.Stop((int)records), at);
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
    public override string ToString() => $"{Run} (first after {FirstAfter.TotalMilliseconds:F0} ms)";
}
