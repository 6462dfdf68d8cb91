using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;
using Pipelines.Streams.Tests.Support;

namespace Pipelines.Streams.Tests.Stages;

public sealed class ConcatStageTests : StreamTest
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
        first.SendNext(1);
        await sink.ExpectNextAsync(1);
        await second.ExpectNoMessageAsync(Probes.NoMessage);

        first.SendComplete();
        await second.ExpectRequestAsync();
        second.SendNext(2);
        await sink.ExpectNextAsync(2);
    }

    [Fact]
    public async Task Concat_DownstreamBackPressures_RequestsOnlyWhatWasDemanded()
    {
        var (first, _, sink) = RunConcat();

        await first.ExpectNoMessageAsync(Probes.NoMessage);
        sink.Request(1);
        await first.ExpectRequestAsync();
        first.SendNext(1);
        await sink.ExpectNextAsync(1);
        await first.ExpectNoMessageAsync(Probes.NoMessage);
    }

    [Fact]
    public async Task Concat_SecondInputCompletesBeforeItsTurn_CompletesAfterTheFirst()
    {
        var (first, second, sink) = RunConcat();

        second.SendComplete();
        sink.Request(5);
        first.SendNext(1).SendComplete();
        await sink.ExpectNextAsync(1);
        await sink.ExpectCompleteAsync();
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Concat_SecondInputFailsBeforeItsTurn_FailsAtOnceAndCancelsTheFirst()
    {
        var (first, second, sink) = RunConcat();
        var boom = new InvalidOperationException("boom");

        second.SendError(boom);
        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await first.ExpectCancellationAsync()).Should().BeSameAs(boom);
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Concat_DownstreamCancels_CancelsBothInputs()
    {
        var (first, second, sink) = RunConcat();

        sink.Cancel();
        await first.ExpectCancellationAsync();
        await second.ExpectCancellationAsync();
        await AssertAllStagesStoppedAsync();
    }

    private (SourceProbe<int> First, SourceProbe<int> Second, SinkProbe<int> Sink) RunConcat()
    {
        var ((first, second), sink) = Source.FromGraph(GraphDsl.Create(Probes.Source<int>(), Probes.Source<int>(), Keep.Both, (b, f, s) =>
            {
                var concat = b.Add(Concat.Create<int>());
                b.Connect(f.Outlet, concat.In[0]);
                b.Connect(s.Outlet, concat.In[1]);
                return new SourceShape<int>(concat.Out);
            }))
            .ToMaterialized(Probes.Sink<int>(), Keep.Both)
            .Run(Materializer);
        return (first, second, sink);
    }
}
