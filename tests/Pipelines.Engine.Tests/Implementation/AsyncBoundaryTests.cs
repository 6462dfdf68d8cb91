using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Implementation;

public sealed class AsyncBoundaryTests : StreamTestBase
{
    [Fact]
    public async Task Async_BetweenEveryStage_DeliversAllElementsInOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 10_000)).Async()
            .Select(x => x + 1).Async()
            .Select(x => x * 2).Async()
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 10_000).Select(x => (x + 1) * 2));
    }

    [Fact]
    public async Task Async_DownstreamCancels_CancelsUpstreamAcrossTheBoundary()
    {
        var (upstream, downstream) = TestSource.Probe<int>().Async().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        await downstream.ExpectNextAsync(1);
        downstream.Cancel();

        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Async_UpstreamFails_FailsDownstreamAcrossTheBoundary()
    {
        var (upstream, downstream) = TestSource.Probe<int>().Async().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
        var boom = new InvalidOperationException("boom");

        upstream.SendError(boom);

        (await downstream.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Async_UpstreamCompletes_DeliversBufferedElementsFirst()
    {
        var (upstream, downstream) = TestSource.Probe<int>().Async().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await upstream.SendNextAsync(1, 2, 3);
        upstream.SendComplete();
        await downstream.ExpectNoMessageAsync(NoMessage);

        (await downstream.ToStrictAsync()).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Async_SlowConsumerOfEndlessSource_KeepsAtMostTheConfiguredBuffersInFlight()
    {
        const int Buffer = 4;
        long produced = 0;
        var probe = Source.From(Endless(() => Interlocked.Increment(ref produced)))
            .Select(x => x + 1)
            .Async()
            .Select(x => x * 2)
            .WithAttributes(Attributes.InputBuffer(Buffer, Buffer))
            .RunWith(TestSink.Probe<long>(), Materializer);

        for (var round = 1; round <= 5; round++)
        {
            probe.Request(10);
            await probe.ExpectNextNAsync(10);
            await probe.ExpectNoMessageAsync(NoMessage);

            // Consumed 10 per round; at most the boundary buffer plus the element being handed over are ahead.
            Interlocked.Read(ref produced).Should().BeLessThanOrEqualTo((round * 10) + Buffer + 1);
        }

        probe.Cancel();
    }

    [Fact]
    public async Task Async_ManyIslands_ElementCountsMatchExactly()
    {
        var source = Source.From(Enumerable.Range(0, 50_000));
        for (var i = 0; i < 6; i++)
        {
            source = source.Select(x => x).Async();
        }

        var count = await source.RunWith(Sink.Aggregate<int, int>(0, (n, _) => n + 1), Materializer);

        count.Should().Be(50_000);
    }

    private static IEnumerable<long> Endless(Func<long> next)
    {
        while (true)
        {
            yield return next();
        }
    }
}
