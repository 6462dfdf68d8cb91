using System.Globalization;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Streams;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// DelayUntil on the real clock: elements with random due times over a few seconds, in due order (the delay tiers'
/// order), and how late each one leaves, measured by the wall clock as it reaches the sink. No element may leave early.
/// The ActorSystem's scheduler ticks every 10 ms (Akka's default and its minimum), which bounds how close to its due
/// time a timer can wake the stage.
/// </summary>
internal static class DelayUntilCases
{
    private const int Seed = 20_261_202;

    public static async Task RunAsync(string suite, BenchOptions options, BenchReport report, IMaterializer materializer, CancellationToken cancellationToken)
    {
        var n = options.Size(100_000, 10_000);
        var span = options.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);

        // Warm-up: the code paths and the scheduler's thread are running before the measured run starts.
        _ = await RunAsync(materializer, 2_000, TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
        var (lateness, early) = await RunAsync(materializer, n, span, cancellationToken).ConfigureAwait(false);

        Array.Sort(lateness);
        var p50 = Percentile(lateness, 0.50);
        var p99 = Percentile(lateness, 0.99);
        var max = lateness[^1];
        var sizes = string.Create(CultureInfo.InvariantCulture, $"{n:N0} elements, due times uniform over {span.TotalSeconds:0} s, sorted");
        report.Case(suite, "delay-until-lateness-p50", p50, "ms", sizes);
        report.Case(suite, "delay-until-lateness-p99", p99, "ms", "goal ≤ 15 ms");
        report.Case(suite, "delay-until-lateness-max", max, "ms");
        report.Case(suite, "delay-until-early", early, "elements", "elements that left before their due time (must be 0)");
    }

    private static async Task<(double[] LatenessMs, int Early)> RunAsync(IMaterializer materializer, int n, TimeSpan span, CancellationToken cancellationToken)
    {
        var random = new Random(Seed);
        var offsets = new long[n];
        for (var i = 0; i < n; i++)
        {
            offsets[i] = random.NextInt64(span.Ticks);
        }

        Array.Sort(offsets);

        // The clock starts once the due times exist, with a little room so the first elements are not late by setup.
        var start = DateTimeOffset.UtcNow.AddMilliseconds(50);
        var dues = offsets.Select(start.AddTicks).ToArray();
        var lateness = new double[n];
        var early = 0;
        await Source.From(Enumerable.Range(0, n))
            .DelayUntil(i => dues[i])
            .RunForeach(
                i =>
                {
                    var late = DateTimeOffset.UtcNow - dues[i];
                    if (late < TimeSpan.Zero)
                    {
                        early++;
                    }

                    lateness[i] = late.TotalMilliseconds;
                },
                materializer)
            .WaitAsync(span + TimeSpan.FromMinutes(1), cancellationToken)
            .ConfigureAwait(false);
        return (lateness, early);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
