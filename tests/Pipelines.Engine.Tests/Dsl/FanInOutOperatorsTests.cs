using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class FanInOutOperatorsTests : StreamTestBase
{
    [Fact]
    public async Task FlowMerge_OtherSource_EmitsTheElementsOfBoth()
    {
        var flow = Flow.Create<int>().Select(x => x * 10).Merge(Source.From([1, 2]));

        var result = await Source.From([3, 4]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(1, 2, 30, 40);
    }

    [Fact]
    public async Task FlowAlsoToMaterialized_SideSink_ExposesTheSideSinksValue()
    {
        var (side, _) = Source.From([1, 2, 3])
            .ViaMaterialized(Flow.Create<int>().AlsoToMaterialized(Sink.Seq<int>(), Keep.Right), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), Keep.Both)
            .Run(Materializer);

        (await side).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task FlowConcat_OtherSource_EmitsItAfterTheFlow()
    {
        var result = await Source.From([1, 2]).Via(Flow.Create<int>().Concat(Source.From([3]))).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task FlowZip_OtherSource_PairsElements()
    {
        var result = await Source.From([1, 2, 3]).Via(Flow.Create<int>().Zip(Source.From(["a", "b", "c"]))).RunWith(Sink.Seq<(int, string)>(), Materializer);

        result.Should().Equal((1, "a"), (2, "b"), (3, "c"));
    }

    [Fact]
    public async Task AlsoTo_SideSink_ReceivesEveryElementWhileTheMainStreamContinues()
    {
        var side = new List<int>();

        var result = await Source.From([1, 2, 3]).AlsoTo(Sink.ForEach<int>(side.Add)).Select(x => x * 2).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(2, 4, 6);
        side.Should().Equal(1, 2, 3);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task AlsoTo_SideSinkBackPressures_HoldsBackTheMainStream()
    {
        var ((source, side), main) = TestSource.Probe<int>()
            .AlsoToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        main.Request(5);
        await source.ExpectNoMessageAsync(NoMessage);
        side.Request(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await main.ExpectNextAsync(1);
        await side.ExpectNextAsync(1);
        await source.ExpectNoMessageAsync(NoMessage);

        main.Cancel();
        side.Cancel();
    }

    [Fact]
    public async Task AlsoTo_SideSinkFails_FailsTheMainStreamAndCancelsUpstream()
    {
        var boom = new InvalidOperationException("side");
        var (source, main) = TestSource.Probe<int>()
            .AlsoTo(Sink.ForEach<int>(x => throw boom))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        main.Request(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await main.ExpectNextAsync(1);
        (await main.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task AlsoTo_SideSinkCancels_CompletesTheMainStreamAndCancelsUpstream()
    {
        var ((source, side), main) = TestSource.Probe<int>()
            .AlsoToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        main.Request(1);
        side.Cancel();
        await main.ExpectCompleteAsync();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }
}
