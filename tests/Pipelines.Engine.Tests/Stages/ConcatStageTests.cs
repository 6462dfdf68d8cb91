using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class ConcatStageTests : StreamTestBase
{
    [Fact]
    public async Task Concat_TwoSources_EmitsAllOfTheFirstThenAllOfTheSecond()
    {
        var result = await Source.From([1, 2, 3]).Concat(Source.From([4, 5])).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Concat_FirstInputRunning_DoesNotRequestFromTheSecond()
    {
        var (first, second, sink) = RunConcat();

        sink.Request(5);
        await first.ExpectRequestAsync();
        await first.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await second.ExpectNoMessageAsync(NoMessage);

        first.SendComplete();
        await second.ExpectRequestAsync();
        await second.SendNextAsync(2);
        await sink.ExpectNextAsync(2);

        sink.Cancel();
    }

    [Fact]
    public async Task Concat_DownstreamBackPressures_RequestsOnlyWhatWasDemanded()
    {
        var (first, _, sink) = RunConcat();

        await first.ExpectNoMessageAsync(NoMessage);
        sink.Request(1);
        await first.ExpectRequestAsync();
        await first.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await first.ExpectNoMessageAsync(NoMessage);

        sink.Cancel();
    }

    [Fact]
    public async Task Concat_SecondInputCompletesBeforeItsTurn_CompletesAfterTheFirst()
    {
        var (first, second, sink) = RunConcat();

        second.SendComplete();
        sink.Request(5);
        await first.SendNextAsync(1);
        first.SendComplete();
        await sink.ExpectNextAsync(1);
        await sink.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Concat_SecondInputFailsBeforeItsTurn_FailsAtOnceAndCancelsTheFirst()
    {
        var (first, second, sink) = RunConcat();
        var boom = new InvalidOperationException("boom");

        second.SendError(boom);
        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await first.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Concat_DownstreamCancels_CancelsBothInputs()
    {
        var (first, second, sink) = RunConcat();

        sink.Cancel();
        await first.ExpectCancellationWithoutFurtherDemandAsync();
        await second.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    private (SourceProbe<int> First, SourceProbe<int> Second, SinkProbe<int> Sink) RunConcat()
    {
        var ((first, second), sink) = Source.FromGraph(GraphDsl.Create(TestSource.Probe<int>(), TestSource.Probe<int>(), Keep.Both, (b, f, s) =>
            {
                var concat = b.Add(Concat.Create<int>());
                b.Connect(f.Outlet, concat.In[0]);
                b.Connect(s.Outlet, concat.In[1]);
                return new SourceShape<int>(concat.Out);
            }))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);
        return (first, second, sink);
    }
}
