using System.Diagnostics;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// Runs contenders interleaved, round after round, and reports each one's median rate: the machine is shared, so a
/// slow stretch hits every contender alike instead of one of them.
/// </summary>
internal static class Rounds
{
    /// <summary>One contender: a run over <c>n</c> elements and the checksum a correct run returns.</summary>
    public readonly record struct Contender(Func<Task<long>> Run, long Expected);

    /// <summary>The median rate (elements per second) of each contender over <paramref name="rounds"/> rounds.</summary>
    public static async Task<double[]> MedianRatesAsync(int n, int rounds, Contender[] contenders, CancellationToken cancellationToken)
    {
        var rates = contenders.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < contenders.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                var result = await contenders[i].Run().ConfigureAwait(false);
                watch.Stop();
                Verify(result, contenders[i].Expected);
                rates[i].Add(n / watch.Elapsed.TotalSeconds);
            }
        }

        return [.. rates.Select(r => r.Order().ElementAt(r.Count / 2))];
    }

    /// <summary>Runs once (warm-up) and checks the result.</summary>
    public static async Task CheckAsync(Func<Task<long>> run, long expected) => Verify(await run().ConfigureAwait(false), expected);

    /// <summary>Bytes allocated per element by one run over <paramref name="n"/> elements, materialization included.</summary>
    public static async Task<double> BytesPerElementAsync(Func<Task<long>> run, int n)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        _ = await run().ConfigureAwait(false);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)n;
    }

    private static void Verify(long result, long expected)
    {
        if (result != expected)
        {
            throw new InvalidOperationException($"wrong result {result}, expected {expected}");
        }
    }
}
