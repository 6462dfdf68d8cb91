using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// The async stages side by side with what a .NET user would write instead: SelectAsync against a TPL Dataflow
/// TransformBlock (same parallelism, ordered), and SelectAsyncPartitioned on a simulated 1 ms I/O call against
/// SelectAsyncUnordered (uniform keys) and against the bound its hottest key imposes (Zipf keys). Each case warms up
/// once, then its contenders run interleaved round after round in this process and each reports its median rate.
/// </summary>
internal static class AsyncCases
{
    private const int Parallelism = 8;
    private const int PartitionedParallelism = 16;
    private const int UniformKeys = 1_000;
    private const int ZipfKeys = 10_000;
    private const int Seed = 20_240_601;

    public static async Task RunAsync(string suite, BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var materializer = new Materializer();
        await using var disposeMaterializer = materializer.ConfigureAwait(false);
        await SelectAsyncCasesAsync(suite, options, report, materializer, cancellationToken).ConfigureAwait(false);
        await PartitionedCasesAsync(suite, options, report, materializer, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SelectAsyncCasesAsync(string suite, BenchOptions options, BenchReport report, Materializer materializer, CancellationToken cancellationToken)
    {
        var rounds = options.Quick ? 3 : 5;
        (string Name, int N, Func<int, Task<int>> F, string Work)[] cases =
        [
            ("select-async-8-completed", options.Size(2_000_000, 200_000), Completed, "x => Task.FromResult(x + 1)"),
            ("select-async-8-yield", options.Size(1_000_000, 100_000), Yielding, "async x => { await Task.Yield(); return x + 1; }"),
        ];
        foreach (var (name, n, f, work) in cases)
        {
            var expected = OrderedChecksum(n);
            Func<Task<long>> ours = () => SelectAsyncAsync(materializer, n, f);
            Func<Task<long>> anchor = () => DataflowAsync(n, f);
            await CheckAsync(ours, expected).ConfigureAwait(false);
            await CheckAsync(anchor, expected).ConfigureAwait(false);
            var rates = await MeasureInterleavedAsync(n, rounds, [(anchor, expected), (ours, expected)], cancellationToken).ConfigureAwait(false);
            var oursBytes = await BytesPerElementAsync(ours, n).ConfigureAwait(false);
            var anchorBytes = await BytesPerElementAsync(anchor, n).ConfigureAwait(false);
            report.Case(suite, name, rates[1], rates[0], "elem/s",
                $"{n:N0} elements, {work}, parallelism {Parallelism}, into a fold; anchor: TPL Dataflow TransformBlock "
                + $"(MaxDegreeOfParallelism {Parallelism}, EnsureOrdered) linked to an ActionBlock; allocated per element: "
                + $"ours {oursBytes:0.0} B, anchor {anchorBytes:0.0} B");
        }
    }

    private static async Task PartitionedCasesAsync(string suite, BenchOptions options, BenchReport report, Materializer materializer, CancellationToken cancellationToken)
    {
        var n = options.Size(16_000, 2_000);
        var rounds = options.Quick ? 1 : 3;
        var warm = n / 5;

        var uniform = UniformKeySequence(n, UniformKeys);
        var call = new DelayCall(uniform, UniformKeys);
        var anchorCall = new DelayCall(uniform, UniformKeys);
        var ordered = OrderedChecksum(n);
        var sum = Sum(n);
        await CheckAsync(() => PartitionedAsync(materializer, warm, call), OrderedChecksum(warm)).ConfigureAwait(false);
        await CheckAsync(() => UnorderedAsync(materializer, warm, anchorCall), Sum(warm)).ConfigureAwait(false);
        var latency = await SequentialLatencyAsync(options.Size(300, 100)).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  simulated I/O call: await Task.Delay(1) takes {latency.TotalMilliseconds:0.000} ms when awaited one after another"));

        call.ThrowIfBroken(perKey: true);
        anchorCall.ThrowIfBroken(perKey: false);
        var rates = await MeasureInterleavedAsync(
            n,
            rounds,
            [(() => UnorderedAsync(materializer, n, anchorCall), sum), (() => PartitionedAsync(materializer, n, call), ordered)],
            cancellationToken).ConfigureAwait(false);
        call.ThrowIfBroken(perKey: true);
        anchorCall.ThrowIfBroken(perKey: false);
        report.Case(suite, "select-async-partitioned-16-uniform", rates[1], rates[0], "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} elements, keys uniform over {UniformKeys:N0}, each call await Task.Delay(1); anchor: SelectAsyncUnordered({PartitionedParallelism}) "
                + $"(effective latency under load {PartitionedParallelism / rates[0] * 1000:0.000} ms per call)"));

        var zipf = ZipfKeySequence(n, ZipfKeys, 1.0);
        var zipfCall = new DelayCall(zipf, ZipfKeys);
        await CheckAsync(() => PartitionedAsync(materializer, warm, zipfCall), OrderedChecksum(warm)).ConfigureAwait(false);
        var zipfRates = await MeasureInterleavedAsync(n, rounds, [(() => PartitionedAsync(materializer, n, zipfCall), ordered)], cancellationToken).ConfigureAwait(false);
        zipfCall.ThrowIfBroken(perKey: true);

        // The hottest key's elements run one after another, and no more than the parallelism run at once.
        latency = await SequentialLatencyAsync(options.Size(300, 100)).ConfigureAwait(false);
        var hottest = zipf.GroupBy(k => k).Max(g => g.Count());
        var hotSeconds = hottest * latency.TotalSeconds;
        var parallelSeconds = n * latency.TotalSeconds / PartitionedParallelism;
        var bound = n / Math.Max(hotSeconds, parallelSeconds);
        report.Case(suite, "select-async-partitioned-16-zipf", zipfRates[0], bound, "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} elements, keys Zipf(s=1) over {ZipfKeys:N0}, each call await Task.Delay(1) ({latency.TotalMilliseconds:0.000} ms sequentially); "
                + $"anchor: N / max(hottest key {hottest:N0} elements ({100.0 * hottest / n:0.0}%) x latency = {hotSeconds:0.000} s, "
                + $"N x latency / {PartitionedParallelism} = {parallelSeconds:0.000} s)"));
    }

    private static Task<int> Completed(int x) => Task.FromResult(x + 1);

    private static async Task<int> Yielding(int x)
    {
        await Task.Yield();
        return x + 1;
    }

    private static Task<long> SelectAsyncAsync(Materializer materializer, int n, Func<int, Task<int>> f) =>
        Source.From(Enumerable.Range(0, n))
            .SelectAsync(Parallelism, f)
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);

    private static async Task<long> DataflowAsync(int n, Func<int, Task<int>> f)
    {
        var transform = new TransformBlock<int, int>(f, new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = Parallelism, EnsureOrdered = true });
        long checksum = 0;
        var sink = new ActionBlock<int>(x => checksum = Fold(checksum, x));
        transform.LinkTo(sink, new DataflowLinkOptions { PropagateCompletion = true });
        for (var i = 0; i < n; i++)
        {
            transform.Post(i);
        }

        transform.Complete();
        await sink.Completion.ConfigureAwait(false);
        return checksum;
    }

    private static Task<long> PartitionedAsync(Materializer materializer, int n, DelayCall call) =>
        Source.From(Enumerable.Range(0, n))
            .SelectAsyncPartitioned(PartitionedParallelism, call.KeyOf, call.InvokeAsync)
            .RunWith(Sink.Aggregate<int, long>(0, Fold), materializer);

    private static Task<long> UnorderedAsync(Materializer materializer, int n, DelayCall call) =>
        Source.From(Enumerable.Range(0, n))
            .SelectAsyncUnordered(PartitionedParallelism, call.InvokeAsync)
            .RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);

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

    private static int[] UniformKeySequence(int n, int keys)
    {
        var random = new Random(Seed);
        var sequence = new int[n];
        for (var i = 0; i < n; i++)
        {
            sequence[i] = random.Next(keys);
        }

        return sequence;
    }

    /// <summary>Keys drawn with probability proportional to 1 / rank^s (inverse transform over the cumulative weights).</summary>
    private static int[] ZipfKeySequence(int n, int keys, double s)
    {
        var cumulative = new double[keys];
        double total = 0;
        for (var k = 0; k < keys; k++)
        {
            total += 1 / Math.Pow(k + 1, s);
            cumulative[k] = total;
        }

        var random = new Random(Seed);
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

    private static async Task<double[]> MeasureInterleavedAsync(
        int n, int rounds, (Func<Task<long>> Run, long Expected)[] contenders, CancellationToken cancellationToken)
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

    private static async Task<double> BytesPerElementAsync(Func<Task<long>> run, int n)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        _ = await run().ConfigureAwait(false);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)n;
    }

    private static async Task CheckAsync(Func<Task<long>> run, long expected) => Verify(await run().ConfigureAwait(false), expected);

    private static void Verify(long result, long expected)
    {
        if (result != expected)
        {
            throw new InvalidOperationException($"wrong result {result}, expected {expected}");
        }
    }

    /// <summary>
    /// The simulated I/O call (about 1 ms), which also counts how many calls overlap, overall and per key, so a run that
    /// breaks the stage's limits is reported instead of measured.
    /// </summary>
    private sealed class DelayCall(int[] keys, int keyCount)
    {
        private readonly int[] _busyPerKey = new int[keyCount];
        private int _busy;
        private int _maxBusy;
        private int _keyOverlaps;

        public int KeyOf(int element) => keys[element];

        public async Task<int> InvokeAsync(int element)
        {
            var busy = Interlocked.Increment(ref _busy);
            if (busy > Volatile.Read(ref _maxBusy))
            {
                InterlockedMax(ref _maxBusy, busy);
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

        /// <summary>Every contender must keep to the parallelism; the partitioned one also to one call per key.</summary>
        public void ThrowIfBroken(bool perKey)
        {
            if (_maxBusy > PartitionedParallelism)
            {
                throw new InvalidOperationException($"{_maxBusy} calls ran at once, more than the parallelism {PartitionedParallelism}");
            }

            if (perKey && _keyOverlaps > 0)
            {
                throw new InvalidOperationException($"{_keyOverlaps} calls started while another call of their key was running");
            }
        }

        private static void InterlockedMax(ref int location, int value)
        {
            var current = Volatile.Read(ref location);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref location, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
