using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class ZipWithStageTests : StreamTestBase
{
    [Fact]
    public async Task Zip_TwoSources_PairsElementsInOrderAndStopsWithTheShorter()
    {
        var result = await Source.From([1, 2, 3]).Zip(Source.From(["a", "b"])).RunWith(Sink.Seq<(int, string)>(), Materializer);

        result.Should().Equal((1, "a"), (2, "b"));
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task ZipWith_Zipper_CombinesOneElementOfEachInput()
    {
        var result = await Source.From([1, 2, 3]).ZipWith(Source.From([10, 20, 30]), (a, b) => a + b).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(11, 22, 33);
    }

    [Fact]
    public async Task Zip_OneInputHasAnElement_EmitsOnlyWhenTheOtherDelivers()
    {
        var (left, right, sink) = RunZip();

        sink.Request(1);
        await left.ExpectRequestAsync();
        await right.ExpectRequestAsync();
        await left.SendNextAsync(1);
        await sink.ExpectNoMessageAsync(NoMessage);
        await right.SendNextAsync("a");
        (await sink.ExpectNextAsync()).Should().Be((1, "a"));

        sink.Cancel();
    }

    [Fact]
    public async Task Zip_NoDownstreamDemand_RequestsNothing()
    {
        var (left, right, sink) = RunZip();

        await left.ExpectNoMessageAsync(NoMessage);
        await right.ExpectNoMessageAsync(TimeSpan.Zero);
        sink.Request(1);
        await left.ExpectRequestAsync();
        await right.ExpectRequestAsync();
        await left.SendNextAsync(1);
        await right.SendNextAsync("a");
        await sink.ExpectNextAsync();
        await left.ExpectNoMessageAsync(NoMessage);

        sink.Cancel();
    }

    [Fact]
    public async Task Zip_EitherInputCompletesWithNothingWaiting_CompletesAndCancelsTheOther()
    {
        var (left, right, sink) = RunZip();

        sink.Request(1);
        right.SendComplete();
        await sink.ExpectCompleteAsync();
        await left.ExpectRequestAsync();
        await left.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Zip_InputCompletesAfterDeliveringAnElement_PairsItBeforeCompleting()
    {
        var (left, right, sink) = RunZip();

        sink.Request(2);
        await left.SendNextAsync(1);
        left.SendComplete();
        await sink.ExpectNoMessageAsync(NoMessage);
        await right.SendNextAsync("a");
        (await sink.ExpectNextAsync()).Should().Be((1, "a"));
        await sink.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Zip_InputFails_FailsAndCancelsTheOther()
    {
        var (left, right, sink) = RunZip();
        var boom = new InvalidOperationException("boom");

        sink.Request(1);
        left.SendError(boom);
        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        await right.ExpectRequestAsync();
        (await right.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Zip_DownstreamCancels_CancelsBothInputs()
    {
        var (left, right, sink) = RunZip();

        sink.Cancel();
        await left.ExpectCancellationWithoutFurtherDemandAsync();
        await right.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    private (SourceProbe<int> Left, SourceProbe<string> Right, SinkProbe<(int, string)> Sink) RunZip()
    {
        var ((left, right), sink) = Source.FromGraph(GraphDsl.Create(TestSource.Probe<int>(), TestSource.Probe<string>(), Keep.Both, (b, l, r) =>
            {
                var zip = b.Add(Zip.Create<int, string>());
                b.Connect(l.Outlet, zip.In0);
                b.Connect(r.Outlet, zip.In1);
                return new SourceShape<(int, string)>(zip.Out);
            }))
            .ToMaterialized(TestSink.Probe<(int, string)>(), Keep.Both)
            .Run(Materializer);
        return (left, right, sink);
    }
}
