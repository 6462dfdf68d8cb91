using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class GroupByStageTests : StreamTestBase
{
    [Fact]
    public async Task GroupBy_ElementsOfSeveralKeys_OpensOneSubstreamPerKeyAndRoutesEachElementToIt()
    {
        var (source, main) = RunGroupBy(10, x => x % 2);

        main.Request(10);
        await source.SendNextAsync(1);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.SendNextAsync(2);
        var even = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.SendNextAsync(3, 4, 5);

        odd.Request(10);
        even.Request(10);
        await odd.ExpectNextAsync(1, 3, 5);
        await even.ExpectNextAsync(2, 4);
        await main.ExpectNoMessageAsync(NoMessage);

        main.Cancel();
        odd.Cancel();
        even.Cancel();
    }

    [Fact]
    public async Task GroupBy_MoreKeysThanMaxSubstreams_FailsNamingTheLimitAndTheKey()
    {
        var task = Source.From([1, 2, 3]).GroupBy(2, x => x).MergeSubstreams().RunWith(Sink.Seq<int>(), Materializer);

        var error = await task.Invoking(t => t).Should().ThrowAsync<TooManySubstreamsOpenException>();
        error.Which.Message.Should().Contain("key '3'").And.Contain("maxSubstreams is 2");
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task GroupBy_SubstreamBuffersFull_StopsPullingUpstreamForEverySubstream()
    {
        var (source, main) = RunGroupBy(10, x => x % 2, bufferSize: 2);

        main.Request(10);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        var slow = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);
        var fast = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        fast.Request(100);
        await fast.ExpectNextAsync(2);

        // The slow substream's buffer (2) fills, the next odd element waits for it, and upstream is not pulled any more.
        await source.ExpectRequestAsync();
        await source.SendNextAsync(3);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(5);
        await source.ExpectNoMessageAsync(NoMessage);
        await fast.ExpectNoMessageAsync(TimeSpan.Zero);

        slow.Request(3);
        await slow.ExpectNextAsync(1, 3, 5);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(4);
        await fast.ExpectNextAsync(4);

        main.Cancel();
        slow.Cancel();
        fast.Cancel();
    }

    [Fact]
    public async Task GroupBy_UpstreamCompletes_CompletesEverySubstreamAfterItsElementsAndTheMainOutput()
    {
        var (source, main) = RunGroupBy(10, x => x % 2);

        main.Request(10);
        await source.SendNextAsync(1, 2, 3);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        var even = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        source.SendComplete();
        await main.ExpectCompleteAsync();

        odd.Request(10);
        await odd.ExpectNextAsync(1, 3);
        await odd.ExpectCompleteAsync();
        even.Request(10);
        await even.ExpectNextAsync(2);
        await even.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task GroupBy_UpstreamFails_FailsEverySubstreamAndTheMainOutput()
    {
        var (source, main) = RunGroupBy(10, x => x % 2);
        var boom = new InvalidOperationException("boom");

        main.Request(10);
        await source.SendNextAsync(1, 2);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        var even = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        source.SendError(boom);

        (await main.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await odd.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await even.ExpectErrorAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task GroupBy_SubstreamFails_FailsTheWholeStream()
    {
        var boom = new InvalidOperationException("boom");

        var task = Source.From(Enumerable.Range(1, 100))
            .GroupBy(3, x => x % 3)
            .Select(x => x == 50 ? throw boom : x)
            .MergeSubstreams()
            .RunWith(Sink.Seq<int>(), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task GroupBy_SubstreamCancelled_DropsLaterElementsOfItsKeyWithoutOpeningANewSubstream()
    {
        var (source, main) = RunGroupBy(10, x => x % 2);

        main.Request(10);
        await source.SendNextAsync(1);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await odd.RequestNextAsync();
        odd.Cancel();
        await source.SendNextAsync(3, 5, 2);

        var even = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        (await even.RequestNextAsync()).Should().Be(2);
        await main.ExpectNoMessageAsync(NoMessage);

        main.Cancel();
        even.Cancel();
    }

    [Fact]
    public async Task GroupBy_CancelledSubstreamWithRecreation_OpensANewSubstreamWithTheElementsTheOldOneDidNotRead()
    {
        var (source, main) = RunGroupBy(10, x => x % 2, allowClosedSubstreamRecreation: true);

        main.Request(10);
        await source.SendNextAsync(1, 3, 5);
        var first = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        (await first.RequestNextAsync()).Should().Be(1);
        first.Cancel();

        var second = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.SendNextAsync(7);
        second.Request(10);
        await second.ExpectNextAsync(3, 5, 7);

        main.Cancel();
        second.Cancel();
    }

    [Fact]
    public async Task GroupBy_ClosedKeysWithoutRecreation_CountTowardsTheLimit()
    {
        var (source, main) = RunGroupBy(1, x => x % 2, bufferSize: 2);

        main.Request(10);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.ExpectRequestAsync();
        await odd.RequestNextAsync();

        // 3 and 5 fill the substream's buffer and 7 waits for it, so upstream is not pulled again until the
        // cancellation has been seen: the next request proves the key is closed.
        await source.SendNextAsync(3, 5, 7);
        await source.ExpectNoMessageAsync(NoMessage);
        odd.Cancel();
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);

        var error = await main.ExpectErrorAsync();
        error.Should().BeOfType<TooManySubstreamsOpenException>();
        error.Message.Should().Contain("key '0'").And.Contain("maxSubstreams is 1").And.Contain("1 closed keys are remembered");
    }

    [Fact]
    public async Task GroupBy_KeySelectorThrowsUnderResume_DropsTheElementAndContinues()
    {
        var result = await Source.From(Enumerable.Range(1, 6))
            .GroupBy(2, x => x == 3 ? throw new InvalidOperationException("three") : x % 2)
            .MergeSubstreams()
            .WithAttributes(Attributes.Supervision(Deciders.ResumingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(1, 2, 4, 5, 6);
    }

    [Fact]
    public async Task GroupBy_MainOutputCancelledWhileSubstreamsRun_KeepsFeedingThemDropsNewKeysAndCancelsUpstreamAfterThem()
    {
        var (source, main) = RunGroupBy(10, x => x % 2);

        main.Request(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        var odd = (await main.ExpectNextAsync()).RunWith(TestSink.Probe<int>(), Materializer);
        await source.ExpectRequestAsync();
        main.Cancel();

        await source.SendNextAsync(2);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(3);
        await source.ExpectRequestAsync();
        odd.Request(10);
        await odd.ExpectNextAsync(1, 3);

        odd.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task GroupBy_SubstreamSourceMaterializedTwice_FailsTheSecondMaterialization()
    {
        var (source, main) = RunGroupBy(10, x => x);

        main.Request(1);
        await source.SendNextAsync(1);
        var substream = await main.ExpectNextAsync();
        _ = substream.RunWith(Sink.Ignore<int>(), Materializer);

        var again = () => { _ = substream.RunWith(Sink.Ignore<int>(), Materializer); };
        again.Should().Throw<InvalidOperationException>().WithMessage("*key '1'*materialized once only*");

        source.SendComplete();
    }

    private (SourceProbe<int> Source, SinkProbe<Source<int, NotUsed>> Main) RunGroupBy(
        int maxSubstreams, Func<int, int> keySelector, bool allowClosedSubstreamRecreation = false, int bufferSize = 16) =>
        TestSource.Probe<int>()
            .Via(Flow.FromGraph(new GroupByStage<int, int>(maxSubstreams, keySelector, allowClosedSubstreamRecreation))
                .AddAttributes(Attributes.InputBuffer(bufferSize, bufferSize)))
            .ToMaterialized(TestSink.Probe<Source<int, NotUsed>>(), Keep.Both)
            .Run(Materializer);
}
