using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class MergeStageTests : StreamTestBase
{
    [Fact]
    public async Task Merge_ElementsOnBothInputs_EmitsEachInArrivalOrder()
    {
        var (left, right, sink) = RunMerge();

        sink.Request(3);
        await left.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await right.SendNextAsync(2);
        await sink.ExpectNextAsync(2);
        await left.SendNextAsync(3);
        await sink.ExpectNextAsync(3);

        sink.Cancel();
    }

    [Fact]
    public async Task Merge_DownstreamBackPressures_HoldsOneElementPerInputAndRequestsNoMore()
    {
        var (left, right, sink) = RunMerge();

        (await left.ExpectRequestAsync()).Should().Be(1);
        (await right.ExpectRequestAsync()).Should().Be(1);
        await left.SendNextAsync(1);
        await right.SendNextAsync(2);
        await left.ExpectNoMessageAsync(NoMessage);
        await right.ExpectNoMessageAsync(TimeSpan.Zero);
        await sink.ExpectNoMessageAsync(TimeSpan.Zero);

        sink.Request(1);
        await sink.ExpectNextAsync(1);
        await left.ExpectRequestAsync();
        sink.Request(1);
        await sink.ExpectNextAsync(2);
        await right.ExpectRequestAsync();

        sink.Cancel();
    }

    [Fact]
    public async Task Merge_OneInputCompletes_KeepsEmittingTheOtherAndCompletesAfterBoth()
    {
        var (left, right, sink) = RunMerge();

        sink.Request(10);
        left.SendComplete();
        await right.SendNextAsync(1, 2);
        await sink.ExpectNextAsync(1, 2);
        await sink.ExpectNoMessageAsync(NoMessage);
        right.SendComplete();
        await sink.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Merge_EagerCompleteAndOneInputCompletes_CompletesAndCancelsTheOther()
    {
        var (left, right, sink) = RunMerge(eagerComplete: true);

        sink.Request(10);
        await left.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        left.SendComplete();
        await sink.ExpectCompleteAsync();
        await right.ExpectRequestAsync();
        (await right.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeNull();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Merge_EagerCompleteWithElementsWaiting_EmitsThemBeforeCompleting()
    {
        var (left, right, sink) = RunMerge(eagerComplete: true);

        await left.ExpectRequestAsync();
        await right.ExpectRequestAsync();
        await right.SendNextAsync(7);
        left.SendComplete();
        await sink.ExpectNoMessageAsync(NoMessage);
        sink.Request(1);
        await sink.ExpectNextAsync(7);
        await sink.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Merge_InputFails_FailsDownstreamAndCancelsTheOtherInput()
    {
        var (left, right, sink) = RunMerge();
        var boom = new InvalidOperationException("boom");

        sink.Request(1);
        left.SendError(boom);
        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        await right.ExpectRequestAsync();
        (await right.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Merge_DownstreamCancels_CancelsBothInputs()
    {
        var (left, right, sink) = RunMerge();

        await left.ExpectRequestAsync();
        await right.ExpectRequestAsync();
        sink.Cancel();
        await left.ExpectCancellationWithoutFurtherDemandAsync();
        await right.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Merge_SourceShortcutWithManyElements_EmitsEveryElementOnceKeepingEachInputsOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 5000))
            .Merge(Source.From(Enumerable.Range(5000, 5000)).Async())
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(Enumerable.Range(0, 10_000));
        result.Where(x => x < 5000).Should().BeInAscendingOrder();
        result.Where(x => x >= 5000).Should().BeInAscendingOrder();
    }

    private (SourceProbe<int> Left, SourceProbe<int> Right, SinkProbe<int> Sink) RunMerge(bool eagerComplete = false)
    {
        var ((left, right), sink) = Source.FromGraph(GraphDsl.Create(TestSource.Probe<int>(), TestSource.Probe<int>(), Keep.Both, (b, l, r) =>
            {
                var merge = b.Add(Merge.Create<int>(2, eagerComplete));
                b.Connect(l.Outlet, merge.In[0]);
                b.Connect(r.Outlet, merge.In[1]);
                return new SourceShape<int>(merge.Out);
            }))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);
        return (left, right, sink);
    }
}
