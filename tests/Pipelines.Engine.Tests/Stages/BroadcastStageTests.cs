using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class BroadcastStageTests : StreamTestBase
{
    [Fact]
    public async Task Broadcast_BothOutputsPull_EmitsEachElementToBoth()
    {
        var (source, first, second) = RunBroadcast();

        first.Request(2);
        second.Request(2);
        await source.SendNextAsync(1, 2);
        await first.ExpectNextAsync(1, 2);
        await second.ExpectNextAsync(1, 2);

        first.Cancel();
        second.Cancel();
    }

    [Fact]
    public async Task Broadcast_OneOutputSlow_BackPressuresUpstreamUntilTheSlowestPulls()
    {
        var (source, fast, slow) = RunBroadcast();

        fast.Request(10);
        await source.ExpectNoMessageAsync(NoMessage);

        slow.Request(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await fast.ExpectNextAsync(1);
        await slow.ExpectNextAsync(1);
        await source.ExpectNoMessageAsync(NoMessage);

        slow.Request(1);
        await source.ExpectRequestAsync();

        fast.Cancel();
        slow.Cancel();
    }

    [Fact]
    public async Task Broadcast_UpstreamCompletes_CompletesEveryOutput()
    {
        var (source, first, second) = RunBroadcast();

        first.Request(1);
        second.Request(1);
        source.SendComplete();
        await first.ExpectCompleteAsync();
        await second.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Broadcast_UpstreamFails_FailsEveryOutput()
    {
        var (source, first, second) = RunBroadcast();
        var boom = new InvalidOperationException("boom");

        source.SendError(boom);
        (await first.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await second.ExpectErrorAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Broadcast_OneOutputCancels_KeepsFeedingTheOther()
    {
        var (source, first, second) = RunBroadcast();

        first.Cancel();
        second.Request(2);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1, 2);
        await second.ExpectNextAsync(1, 2);

        second.Cancel();
    }

    [Fact]
    public async Task Broadcast_OutputCancelsWhileAnElementWaitsForIt_PullsAgainForTheOthers()
    {
        var (source, first, second) = RunBroadcast();

        first.Request(5);
        second.Request(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await first.ExpectNextAsync(1);
        await second.ExpectNextAsync(1);
        await source.ExpectNoMessageAsync(NoMessage);

        second.Cancel();
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);
        await first.ExpectNextAsync(2);

        first.Cancel();
    }

    [Fact]
    public async Task Broadcast_AllOutputsCancel_CancelsUpstream()
    {
        var (source, first, second) = RunBroadcast();

        first.Cancel();
        await source.ExpectNoMessageAsync(NoMessage);
        second.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Broadcast_EagerCancelAndOneOutputCancels_CancelsUpstreamAndCompletesTheOthers()
    {
        var (source, first, second) = RunBroadcast(eagerCancel: true);

        second.Request(1);
        first.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await second.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Broadcast_EagerCancelAndOneOutputFails_FailsTheOthersWithTheSameError()
    {
        var boom = new InvalidOperationException("boom");
        var ((source, sideDone), main) = Source.FromGraph(GraphDsl.Create(
                TestSource.Probe<int>(),
                Sink.ForEach<int>(x => throw boom),
                Keep.Both,
                (b, s, side) =>
                {
                    var broadcast = b.Add(Broadcast.Create<int>(2, eagerCancel: true));
                    b.Connect(s.Outlet, broadcast.In);
                    b.Connect(broadcast.Out[1], side.Inlet);
                    return new SourceShape<int>(broadcast.Out[0]);
                }))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        main.Request(1);
        await source.SendNextAsync(1);
        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
        await main.ExpectNextAsync(1);
        (await main.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await sideDone.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    private (SourceProbe<int> Source, SinkProbe<int> First, SinkProbe<int> Second) RunBroadcast(bool eagerCancel = false)
    {
        var graph = GraphDsl.Create(TestSource.Probe<int>(), TestSink.Probe<int>(), Keep.Both, (b, source, first) =>
        {
            var broadcast = b.Add(Broadcast.Create<int>(2, eagerCancel));
            b.Connect(source.Outlet, broadcast.In);
            b.Connect(broadcast.Out[0], first.Inlet);
            return new SourceShape<int>(broadcast.Out[1]);
        });
        var ((source, first), second) = Source.FromGraph(graph).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
        return (source, first, second);
    }
}
