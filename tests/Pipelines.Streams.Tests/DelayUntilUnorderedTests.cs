using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.Streams.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>DelayUntilUnordered on the TestScheduler's virtual clock.</summary>
public sealed class DelayUntilUnorderedTests(ITestOutputHelper output) : StageSpec(output)
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task DelayUntilUnordered_LaterElementDueEarlier_OvertakesAndNothingLeavesEarly()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntilUnordered(10, x => start.AddSeconds(x)));

        downstream.Request(3);
        await upstream.SendNextAsync(30);
        await upstream.SendNextAsync(5);
        await upstream.SendNextAsync(12);
        await AwaitTimerAsync(start.AddSeconds(5));
        Scheduler.AdvanceTo(start.AddSeconds(5) - OneTick);
        await downstream.ExpectNoMsgAsync(Quiet);

        Scheduler.AdvanceTo(start.AddSeconds(5));
        await downstream.ExpectNextAsync(5, Patience);
        await AwaitTimerAsync(start.AddSeconds(12));
        Scheduler.AdvanceTo(start.AddSeconds(12) - OneTick);
        await downstream.ExpectNoMsgAsync(Quiet);
        Scheduler.AdvanceTo(start.AddSeconds(12));
        await downstream.ExpectNextAsync(12, Patience);
        await AwaitTimerAsync(start.AddSeconds(30));
        Scheduler.AdvanceTo(start.AddSeconds(30));
        await downstream.ExpectNextAsync(30, Patience);
    }

    [Fact]
    public async Task DelayUntilUnordered_BufferFull_TakesNothingMoreUntilOneLeaves()
    {
        var start = Scheduler.Now;
        var selectorCalls = 0;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntilUnordered(2, x =>
        {
            Interlocked.Increment(ref selectorCalls);
            return start.AddSeconds(x);
        }));

        downstream.Request(10);
        await upstream.SendNextAsync(20);
        await upstream.SendNextAsync(10);
        await AwaitTimerAsync(start.AddSeconds(10));
        Volatile.Read(ref selectorCalls).Should().Be(2);

        var pending = upstream.SendNextAsync(1);
        await downstream.ExpectNoMsgAsync(Quiet);
        Volatile.Read(ref selectorCalls).Should().Be(2, "a full buffer pulls nothing, so the earlier element waits upstream");

        Scheduler.AdvanceTo(start.AddSeconds(10));
        await downstream.ExpectNextAsync(10, Patience);
        await pending;
        await downstream.ExpectNextAsync(1, Patience);
    }

    [Fact]
    public async Task DelayUntilUnordered_EqualDueTimes_LeaveInArrivalOrder()
    {
        var due = Scheduler.Now.AddSeconds(3);
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntilUnordered(100, _ => due));

        downstream.Request(50);
        for (var i = 0; i < 50; i++)
        {
            await upstream.SendNextAsync(i);
        }

        await AwaitTimerAsync(due);
        Scheduler.AdvanceTo(due);
        await downstream.ExpectNextNAsync(Enumerable.Range(0, 50), Patience);
    }

    [Fact]
    public async Task DelayUntilUnordered_UpstreamCompletes_EmitsEveryHeldElementWhenDueThenCompletes()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntilUnordered(10, x => start.AddSeconds(x)));

        downstream.Request(5);
        await upstream.SendNextAsync(4);
        await upstream.SendNextAsync(2);
        await upstream.SendCompleteAsync();
        await AwaitTimerAsync(start.AddSeconds(2));
        Scheduler.AdvanceTo(start.AddSeconds(2));
        await downstream.ExpectNextAsync(2, Patience);
        await AwaitTimerAsync(start.AddSeconds(4));
        Scheduler.AdvanceTo(start.AddSeconds(4));
        await downstream.ExpectNextAsync(4, Patience);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntilUnordered_DiscardingStageUpstreamCompletes_CompletesAtOnce()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.FromGraph(new DelayUntilUnorderedStage<int>(10, x => start.AddSeconds(x), discardOnUpstreamFinish: true)));

        downstream.Request(5);
        await upstream.SendNextAsync(4);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntilUnordered_SelectorThrowsUnderResume_DropsTheElementAndGoesOn()
    {
        var start = Scheduler.Now;
        var flow = Flow.Create<int>()
            .DelayUntilUnordered(10, x => x < 0 ? throw new InvalidOperationException("bad") : start.AddSeconds(x))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider));
        var (upstream, downstream) = Probe(flow);

        downstream.Request(5);
        await upstream.SendNextAsync(-1);
        await upstream.SendNextAsync(0);
        await downstream.ExpectNextAsync(0, Patience);
    }

    [Fact]
    public async Task DelayUntilUnordered_SelectorThrows_FailsTheStream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntilUnordered<int, int, Akka.NotUsed>(10, _ => throw new InvalidOperationException("bad due time")));

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        (await downstream.ExpectErrorAsync()).Message.Should().Be("bad due time");
    }

    [Fact]
    public void DelayUntilUnordered_BufferSizeBelowOne_Throws()
    {
        var act = () => Flow.Create<int>().DelayUntilUnordered(0, _ => DateTimeOffset.UtcNow);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
