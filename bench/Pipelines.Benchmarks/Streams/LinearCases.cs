using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// What the platform costs: N integers through three maps into a sum, written the stock Akka.Streams way (fused, and with
/// an async boundary after every stage) beside the same chain in TPL Dataflow. No stage of ours is involved.
/// </summary>
internal static class LinearCases
{
    public static async Task RunAsync(string suite, BenchOptions options, BenchReport report, IMaterializer materializer, CancellationToken cancellationToken)
    {
        var n = options.Size(1_000_000, 100_000);
        var rounds = options.Quick ? 3 : 5;
        var warm = n / 10;
        await Rounds.CheckAsync(() => FusedAsync(materializer, warm), Expected(warm)).ConfigureAwait(false);
        await Rounds.CheckAsync(() => AsyncBoundariesAsync(materializer, warm), Expected(warm)).ConfigureAwait(false);
        await Rounds.CheckAsync(() => DataflowAsync(warm), Expected(warm)).ConfigureAwait(false);

        var expected = Expected(n);
        var rates = await Rounds.MedianRatesAsync(
            n,
            rounds,
            [
                new(() => DataflowAsync(n), expected),
                new(() => FusedAsync(materializer, n), expected),
                new(() => AsyncBoundariesAsync(materializer, n), expected),
            ],
            cancellationToken).ConfigureAwait(false);
        var (dataflow, fused, boundaries) = (rates[0], rates[1], rates[2]);

        var fusedBytes = await Rounds.BytesPerElementAsync(() => FusedAsync(materializer, n), n).ConfigureAwait(false);
        report.Case(suite, "linear-map3-fold-fused", fused, dataflow, "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} integers, Source.From → 3 × Select → Sink.Aggregate, fused in one actor; anchor: TPL Dataflow, 3 TransformBlocks → ActionBlock "
                + $"(default options); Akka allocates {fusedBytes:0.0} B per element on this path"));
        report.Case(suite, "linear-map3-fold-async", boundaries, dataflow, "elem/s",
            string.Create(CultureInfo.InvariantCulture,
                $"the same with .Async() after every stage (4 boundaries, default input buffer 16); anchor: TPL Dataflow; "
                + $"cost of one boundary ≈ {(1 / boundaries - 1 / fused) / 4 * 1e6:0.00} µs per element"));
    }

    private static long Expected(int n)
    {
        long sum = 0;
        for (var i = 0; i < n; i++)
        {
            sum += ((i + 1) * 2) - 1;
        }

        return sum;
    }

    private static Task<long> FusedAsync(IMaterializer materializer, int n) =>
        Source.From(Enumerable.Range(0, n))
            .Select(x => x + 1)
            .Select(x => x * 2)
            .Select(x => x - 1)
            .RunWith(Sink.Aggregate<int, long>(0, (acc, x) => acc + x), materializer);

    private static Task<long> AsyncBoundariesAsync(IMaterializer materializer, int n) =>
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
}
