using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// The streams engine against TPL Dataflow (what a .NET user would pick instead) and a hand-written
/// System.Threading.Channels pipeline, on the same linear workload: N integers through three maps into a sum.
/// </summary>
internal sealed class StreamsSuite : IBenchmarkSuite
{
    private const int Runs = 5;

    public string Name => "streams";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var n = options.Size(10_000_000, 500_000);
        var expected = Expected(n);
        var materializer = new Materializer();
        await using var disposeMaterializer = materializer.ConfigureAwait(false);

        // Warm-up so every contender runs tiered-up code.
        var warm = options.Size(1_000_000, 100_000);
        await Check(FusedAsync(materializer, warm), Expected(warm)).ConfigureAwait(false);
        await Check(AsyncBoundariesAsync(materializer, warm), Expected(warm)).ConfigureAwait(false);
        await Check(DataflowAsync(warm), Expected(warm)).ConfigureAwait(false);
        await Check(ChannelsAsync(warm), Expected(warm)).ConfigureAwait(false);

        // The machine is shared: contenders run interleaved, round after round, and each reports its median rate.
        var rates = await MeasureInterleavedAsync(
            n,
            expected,
            [
                () => DataflowAsync(n),
                () => ChannelsAsync(n),
                () => FusedAsync(materializer, n),
                () => AsyncBoundariesAsync(materializer, n),
            ],
            cancellationToken).ConfigureAwait(false);
        var (dataflow, channels, fused, boundaries) = (rates[0], rates[1], rates[2], rates[3]);

        report.Case(Name, "linear-map3-fold-fused", fused, dataflow, "elem/s", "anchor: TPL Dataflow, 3 TransformBlocks + ActionBlock (default options)");
        report.Case(Name, "linear-map3-fold-fused-vs-channels", fused, channels, "elem/s", "anchor: hand-written bounded Channels pipeline (capacity 1024), one task per stage");
        Console.WriteLine($"  allocation on the fused path: {AllocationPerElement(materializer, n):0.000} bytes/element");
        report.Case(Name, "linear-map3-fold-async", boundaries, dataflow, "elem/s", "an async boundary between every stage (default buffer 16); anchor: TPL Dataflow");
        report.Case(Name, "linear-map3-fold-async-vs-channels", boundaries, channels, "elem/s", "anchor: hand-written bounded Channels pipeline (capacity 1024)");

        await AsyncCases.RunAsync(Name, options, report, cancellationToken).ConfigureAwait(false);
    }

    private static long Expected(int n)
    {
        long sum = 0;
        for (var i = 0; i < n; i++)
        {
            sum += Map3(i);
        }

        return sum;
    }

    private static int Map3(int x) => ((x + 1) * 2) - 1;

    private static Task<long> FusedAsync(Materializer materializer, int n) =>
        Source.From(Enumerable.Range(0, n))
            .Select(x => x + 1)
            .Select(x => x * 2)
            .Select(x => x - 1)
            .RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);

    private static Task<long> AsyncBoundariesAsync(Materializer materializer, int n) =>
        Source.From(Enumerable.Range(0, n)).Async()
            .Select(x => x + 1).Async()
            .Select(x => x * 2).Async()
            .Select(x => x - 1).Async()
            .RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);

    private static async Task<long> DataflowAsync(int n)
    {
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var a = new TransformBlock<int, int>(x => x + 1);
        var b = new TransformBlock<int, int>(x => x * 2);
        var c = new TransformBlock<int, int>(x => x - 1);
        long sum = 0;
        var sink = new ActionBlock<int>(x => sum += x);
        a.LinkTo(b, link);
        b.LinkTo(c, link);
        c.LinkTo(sink, link);
        for (var i = 0; i < n; i++)
        {
            a.Post(i);
        }

        a.Complete();
        await sink.Completion.ConfigureAwait(false);
        return sum;
    }

    private static async Task<long> ChannelsAsync(int n)
    {
        const int capacity = 1024;
        var options = new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true };
        var c1 = Channel.CreateBounded<int>(options);
        var c2 = Channel.CreateBounded<int>(options);
        var c3 = Channel.CreateBounded<int>(options);
        var c4 = Channel.CreateBounded<int>(options);
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < n; i++)
            {
                if (!c1.Writer.TryWrite(i))
                {
                    await c1.Writer.WriteAsync(i).ConfigureAwait(false);
                }
            }

            c1.Writer.Complete();
        });
        var s1 = Task.Run(() => MapAsync(c1.Reader, c2.Writer, x => x + 1));
        var s2 = Task.Run(() => MapAsync(c2.Reader, c3.Writer, x => x * 2));
        var s3 = Task.Run(() => MapAsync(c3.Reader, c4.Writer, x => x - 1));
        long sum = 0;
        while (await c4.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (c4.Reader.TryRead(out var x))
            {
                sum += x;
            }
        }

        await Task.WhenAll(producer, s1, s2, s3).ConfigureAwait(false);
        return sum;

        static async Task MapAsync(ChannelReader<int> reader, ChannelWriter<int> writer, Func<int, int> f)
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var x))
                {
                    var y = f(x);
                    if (!writer.TryWrite(y))
                    {
                        await writer.WriteAsync(y).ConfigureAwait(false);
                    }
                }
            }

            writer.Complete();
        }
    }

    private static double AllocationPerElement(Materializer materializer, int n)
    {
        // Materialization allocates a fixed amount; the difference between two sizes is the per-element cost.
        var small = Allocated(materializer, n / 10);
        var large = Allocated(materializer, n);
        return (large - small) / (double)(n - (n / 10));
    }

    private static long Allocated(Materializer materializer, int n)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = FusedAsync(materializer, n).GetAwaiter().GetResult();
        var after = GC.GetTotalAllocatedBytes(precise: true);
        return result == Expected(n) ? after - before : throw new InvalidOperationException("wrong result");
    }

    private static async Task<double[]> MeasureInterleavedAsync(int n, long expected, Func<Task<long>>[] contenders, CancellationToken cancellationToken)
    {
        var rates = contenders.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Runs; round++)
        {
            for (var i = 0; i < contenders.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                var result = await contenders[i]().ConfigureAwait(false);
                watch.Stop();
                if (result != expected)
                {
                    throw new InvalidOperationException($"wrong result {result}, expected {expected}");
                }

                rates[i].Add(n / watch.Elapsed.TotalSeconds);
            }
        }

        return [.. rates.Select(r => r.Order().ElementAt(r.Count / 2))];
    }

    private static async Task Check(Task<long> run, long expected)
    {
        var result = await run.ConfigureAwait(false);
        if (result != expected)
        {
            throw new InvalidOperationException($"wrong result {result}, expected {expected}");
        }
    }
}
