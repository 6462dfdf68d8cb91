using System.Diagnostics;
using System.Globalization;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Streams;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// SelectAsyncPartitioned(16) on a simulated 1 ms I/O call against the stock ways a user would write the same thing:
/// per-key ordering with <c>GroupBy(keys).SelectAsync(1, f).MergeSubstreams()</c> (uniform and Zipf keys), and
/// <c>SelectAsyncUnordered(16)</c>, which keeps no order at all (uniform keys). Each case warms up once, then its
/// contenders run interleaved and report their median rates.
/// </summary>
internal static class PartitionedCases
{
    private const int Parallelism = 16;
    private const int UniformKeys = 1_000;
    private const int ZipfKeys = 10_000;
    private const int Seed = 20_240_601;

    public static async Task RunAsync(string suite, BenchOptions options, BenchReport report, IMaterializer materializer, CancellationToken cancellationToken)
    {
        var n = options.Size(8_000, 2_000);
        var rounds = options.Quick ? 1 : 3;
        var warm = n / 5;
        var latency = await SequentialLatencyAsync(options.Size(300, 100)).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  simulated I/O call: await Task.Delay(1) takes {latency.TotalMilliseconds:0.000} ms when awaited one after another"));

        // Uniform keys: ours, stock GroupBy, stock unordered.
        var uniform = KeySequence(n, UniformKeys, zipf: false);
        var ours = new DelayCall(uniform, UniformKeys);
        var groupBy = new DelayCall(uniform, UniformKeys);
        var unordered = new DelayCall(uniform, UniformKeys);
        await Rounds.CheckAsync(() => PartitionedAsync(materializer, warm, ours), OrderedChecksum(warm)).ConfigureAwait(false);
        await Rounds.CheckAsync(() => GroupByAsync(materializer, warm, groupBy, UniformKeys), Sum(warm)).ConfigureAwait(false);
        await Rounds.CheckAsync(() => UnorderedAsync(materializer, warm, unordered), Sum(warm)).ConfigureAwait(false);
        var rates = await Rounds.MedianRatesAsync(
            n,
            rounds,
            [
                new(() => PartitionedAsync(materializer, n, ours), OrderedChecksum(n)),
                new(() => GroupByAsync(materializer, n, groupBy, UniformKeys), Sum(n)),
                new(() => UnorderedAsync(materializer, n, unordered), Sum(n)),
            ],
            cancellationToken).ConfigureAwait(false);
        ours.ThrowIfBroken(Parallelism, perKey: true);
        groupBy.ThrowIfBroken(bound: null, perKey: true);
        unordered.ThrowIfBroken(Parallelism, perKey: false);
        var allocated = await AllocationNoteAsync(materializer, options).ConfigureAwait(false);

        report.Case(suite, "select-async-partitioned-16-uniform-vs-groupby", rates[0], rates[1], "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} elements, keys uniform over {UniformKeys:N0}, each call await Task.Delay(1); anchor: GroupBy({UniformKeys}).SelectAsync(1, f).MergeSubstreams(), "
                + $"whose parallelism is bounded only by the substreams holding an element (peak {groupBy.MaxBusy} calls at once; ours {ours.MaxBusy})"));
        report.Case(suite, "select-async-partitioned-16-uniform-vs-unordered", rates[0], rates[2], "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"the same elements; anchor: SelectAsyncUnordered({Parallelism}), no order kept (goal ≥ 0.8); effective call latency under load "
                + $"{Parallelism / rates[2] * 1000:0.000} ms; {allocated}"));

        // Zipf keys: the hottest key's elements run one after another in both contenders.
        var zipf = KeySequence(n, ZipfKeys, zipf: true);
        var oursZipf = new DelayCall(zipf, ZipfKeys);
        var groupByZipf = new DelayCall(zipf, ZipfKeys);
        await Rounds.CheckAsync(() => PartitionedAsync(materializer, warm, oursZipf), OrderedChecksum(warm)).ConfigureAwait(false);
        await Rounds.CheckAsync(() => GroupByAsync(materializer, warm, groupByZipf, ZipfKeys), Sum(warm)).ConfigureAwait(false);
        var zipfRates = await Rounds.MedianRatesAsync(
            n,
            rounds,
            [
                new(() => PartitionedAsync(materializer, n, oursZipf), OrderedChecksum(n)),
                new(() => GroupByAsync(materializer, n, groupByZipf, ZipfKeys), Sum(n)),
            ],
            cancellationToken).ConfigureAwait(false);
        oursZipf.ThrowIfBroken(Parallelism, perKey: true);
        groupByZipf.ThrowIfBroken(bound: null, perKey: true);
        var hottest = zipf.GroupBy(k => k).Max(g => g.Count());
        report.Case(suite, "select-async-partitioned-16-zipf-vs-groupby", zipfRates[0], zipfRates[1], "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} elements, keys Zipf(s=1) over {ZipfKeys:N0} ({zipf.Distinct().Count():N0} distinct, the hottest {hottest:N0} = {100.0 * hottest / n:0.0}%); "
                + $"anchor: GroupBy({ZipfKeys}).SelectAsync(1, f).MergeSubstreams() (peak {groupByZipf.MaxBusy} calls at once; ours {oursZipf.MaxBusy}); "
                + $"the hottest key alone needs {hottest * latency.TotalSeconds:0.00} s at the sequential latency"));
    }

    private static Task<long> PartitionedAsync(IMaterializer materializer, int n, DelayCall call) =>
        Source.From(Enumerable.Range(0, n))
            .SelectAsyncPartitioned(Parallelism, call.KeyOf, call.InvokeAsync)
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);

    private static Task<long> GroupByAsync(IMaterializer materializer, int n, DelayCall call, int keys)
    {
        var merged = (Source<int, NotUsed>)Source.From(Enumerable.Range(0, n))
            .GroupBy(keys, call.KeyOf)
            .SelectAsync(1, call.InvokeAsync)
            .MergeSubstreams();
        return merged.RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);
    }

    private static Task<long> UnorderedAsync(IMaterializer materializer, int n, DelayCall call) =>
        Source.From(Enumerable.Range(0, n))
            .SelectAsyncUnordered(Parallelism, call.InvokeAsync)
            .RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);

    /// <summary>What our stage and the stock SelectAsync allocate per element when every task has already completed.</summary>
    private static async Task<string> AllocationNoteAsync(IMaterializer materializer, BenchOptions options)
    {
        var n = options.Size(200_000, 20_000);
        Func<Task<long>> ours = () => Source.From(Enumerable.Range(0, n))
            .SelectAsyncPartitioned(Parallelism, x => x % UniformKeys, x => Task.FromResult(x + 1))
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);
        Func<Task<long>> stock = () => Source.From(Enumerable.Range(0, n))
            .SelectAsync(Parallelism, x => Task.FromResult(x + 1))
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);
        // The same source, tasks and sink without an async stage: what is left is the stage's own cost.
        Func<Task<long>> baseline = () => Source.From(Enumerable.Range(0, n))
            .Select(x => Task.FromResult(x + 1).Result)
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);
        await Rounds.CheckAsync(ours, OrderedChecksum(n)).ConfigureAwait(false);
        await Rounds.CheckAsync(stock, OrderedChecksum(n)).ConfigureAwait(false);
        await Rounds.CheckAsync(baseline, OrderedChecksum(n)).ConfigureAwait(false);
        var oursBytes = await Rounds.BytesPerElementAsync(ours, n).ConfigureAwait(false);
        var stockBytes = await Rounds.BytesPerElementAsync(stock, n).ConfigureAwait(false);
        var baselineBytes = await Rounds.BytesPerElementAsync(baseline, n).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture,
            $"allocated per element over completed tasks, beyond the same graph without an async stage ({baselineBytes:0.0} B): "
            + $"SelectAsyncPartitioned({Parallelism}) {oursBytes - baselineBytes:0.0} B, stock SelectAsync({Parallelism}) {stockBytes - baselineBytes:0.0} B");
    }

    // Order-sensitive, so a contender that emits out of order fails its check.
    private static long Fold(long acc, int x) => unchecked((acc * 31) + x);

    private static long OrderedChecksum(int n)
    {
        long acc = 0;
        for (var i = 0; i < n; i++)
        {
            acc = Fold(acc, i + 1);
        }

        return acc;
    }

    private static long Sum(int n) => (long)n * (n + 1) / 2;

    /// <summary>Uniform keys, or keys drawn with probability proportional to 1 / rank (Zipf, s = 1).</summary>
    private static int[] KeySequence(int n, int keys, bool zipf)
    {
        var random = new Random(Seed);
        var cumulative = new double[keys];
        double total = 0;
        for (var k = 0; k < keys; k++)
        {
            total += zipf ? 1.0 / (k + 1) : 1.0;
            cumulative[k] = total;
        }

        var sequence = new int[n];
        for (var i = 0; i < n; i++)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            sequence[i] = Math.Min(index < 0 ? ~index : index, keys - 1);
        }

        return sequence;
    }

    private static async Task<TimeSpan> SequentialLatencyAsync(int calls)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        return watch.Elapsed / calls;
    }

    /// <summary>
    /// The simulated I/O call (about 1 ms). It counts how many calls overlap, overall and per key, so a run that breaks a
    /// contender's promises is reported instead of measured.
    /// </summary>
    private sealed class DelayCall(int[] keys, int keyCount)
    {
        private readonly int[] _busyPerKey = new int[keyCount];
        private int _busy;
        private int _maxBusy;
        private int _keyOverlaps;

        public int MaxBusy => Volatile.Read(ref _maxBusy);

        public int KeyOf(int element) => keys[element];

        public async Task<int> InvokeAsync(int element)
        {
            var busy = Interlocked.Increment(ref _busy);
            var max = Volatile.Read(ref _maxBusy);
            while (busy > max && Interlocked.CompareExchange(ref _maxBusy, busy, max) != max)
            {
                max = Volatile.Read(ref _maxBusy);
            }

            if (Interlocked.Increment(ref _busyPerKey[keys[element]]) > 1)
            {
                Interlocked.Increment(ref _keyOverlaps);
            }

            await Task.Delay(1).ConfigureAwait(false);
            Interlocked.Decrement(ref _busyPerKey[keys[element]]);
            Interlocked.Decrement(ref _busy);
            return element + 1;
        }

        /// <summary>Throws when more calls than <paramref name="bound"/> ran at once, or (per key) two calls of one key overlapped.</summary>
        public void ThrowIfBroken(int? bound, bool perKey)
        {
            if (bound is { } most && _maxBusy > most)
            {
                throw new InvalidOperationException($"{_maxBusy} calls ran at once, more than the parallelism {most}");
            }

            if (perKey && _keyOverlaps > 0)
            {
                throw new InvalidOperationException($"{_keyOverlaps} calls started while another call of their key was running");
            }
        }
    }
}
