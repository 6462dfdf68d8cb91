using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.Streams.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>HoldUntilDue on the TestScheduler's virtual clock: a hold that lets the element due last go when full.</summary>
public sealed class HoldUntilDueTests(ITestOutputHelper output) : StageSpec(output)
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task HoldUntilDue_EarliestDueFirst_NothingLeavesBeforeItsDueTimeWhileThereIsRoom()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Hold(start, capacity: 3));

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
    public async Task HoldUntilDue_OneMoreArrivesWhileFull_TheElementDueLastLeavesAtOnce_TheOthersWaitForTheirDueTimes()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Hold(start, capacity: 2));

        downstream.Request(10);
        await upstream.SendNextAsync(20);
        await upstream.SendNextAsync(10);
        await downstream.ExpectNoMsgAsync(Quiet);

        await upstream.SendNextAsync(15);
        await downstream.ExpectNextAsync(20, Patience);
        await downstream.ExpectNoMsgAsync(Quiet);

        // The newcomer is the one due last.
        await upstream.SendNextAsync(30);
        await downstream.ExpectNextAsync(30, Patience);

        await AwaitTimerAsync(start.AddSeconds(10));
        Scheduler.AdvanceTo(start.AddSeconds(10));
        await downstream.ExpectNextAsync(10, Patience);
        await AwaitTimerAsync(start.AddSeconds(15));
        Scheduler.AdvanceTo(start.AddSeconds(15));
        await downstream.ExpectNextAsync(15, Patience);
    }

    [Fact]
    public async Task HoldUntilDue_FullAndDownstreamBusy_TakesOneMoreAtMost()
    {
        var start = Scheduler.Now;
        var selectorCalls = 0;
        var (upstream, downstream) = Probe(Flow.FromGraph(new HoldUntilDueStage<int>(2, x =>
        {
            Interlocked.Increment(ref selectorCalls);
            return start.AddSeconds(x);
        })));

        await downstream.EnsureSubscriptionAsync();
        await upstream.SendNextAsync(20);
        await upstream.SendNextAsync(10);
        await upstream.SendNextAsync(15);
        await AwaitConditionAsync(() => Volatile.Read(ref selectorCalls) == 3, Patience, "the third element taken");

        var pending = upstream.SendNextAsync(40);
        await downstream.ExpectNoMsgAsync(Quiet);
        Volatile.Read(ref selectorCalls).Should().Be(3, "with one over capacity held and nobody pulling, nothing more is taken");

        downstream.Request(1);
        await downstream.ExpectNextAsync(20, Patience);
        await pending;
        downstream.Request(1);
        await downstream.ExpectNextAsync(40, Patience);
    }

    [Fact]
    public async Task HoldUntilDue_DueElementWaitingForDownstream_LeavesBeforeAnyMakesRoom()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Hold(start, capacity: 2));

        await upstream.SendNextAsync(1);
        await upstream.SendNextAsync(20);
        await AwaitTimerAsync(start.AddSeconds(1));
        Scheduler.AdvanceTo(start.AddSeconds(2));

        downstream.Request(1);
        await downstream.ExpectNextAsync(1, Patience);
        await upstream.SendNextAsync(30);
        await upstream.SendNextAsync(25);
        // A due element goes first; then, full and one more, the one due last.
        downstream.Request(1);
        await downstream.ExpectNextAsync(30, Patience);
    }

    [Fact]
    public async Task HoldUntilDue_EqualDueTimes_LeaveInArrivalOrder()
    {
        var due = Scheduler.Now.AddSeconds(3);
        var (upstream, downstream) = Probe(Flow.FromGraph(new HoldUntilDueStage<int>(100, _ => due)));

        downstream.Request(50);
        for (var i = 0; i < 50; i++)
        {
            await upstream.SendNextAsync(i);
        }

        await AwaitTimerAsync(due);
        Scheduler.AdvanceTo(due);
        (await downstream.ExpectNextNAsync(50, Patience).ToListAsync()).Should().Equal(Enumerable.Range(0, 50));
    }

    [Fact]
    public async Task HoldUntilDue_UpstreamCompletes_EmitsEveryHeldElementWhenDueThenCompletes()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Hold(start, capacity: 10));

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
    public async Task HoldUntilDue_DiscardingStageUpstreamCompletes_CompletesAtOnceAndReportsNothingHeld()
    {
        var start = Scheduler.Now;
        var reports = new List<int>();
        var (upstream, downstream) = Probe(Flow.FromGraph(new HoldUntilDueStage<int>(10, x => start.AddSeconds(x), discardOnUpstreamFinish: true, (held, _) =>
        {
            lock (reports)
            {
                reports.Add(held);
            }
        })));

        downstream.Request(5);
        await upstream.SendNextAsync(4);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
        await AwaitConditionAsync(() => { lock (reports) { return reports.Count == 2; } }, Patience, "the hold's reports");
        lock (reports)
        {
            reports.Should().Equal(1, 0);
        }
    }

    [Fact]
    public async Task HoldUntilDue_SelectorThrowsUnderResume_DropsTheElementAndGoesOn()
    {
        var start = Scheduler.Now;
        var flow = Flow.FromGraph(new HoldUntilDueStage<int>(10, x => x < 0 ? throw new InvalidOperationException("bad") : start.AddSeconds(x)))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider));
        var (upstream, downstream) = Probe(flow);

        downstream.Request(5);
        await upstream.SendNextAsync(-1);
        await upstream.SendNextAsync(0);
        await downstream.ExpectNextAsync(0, Patience);
    }

    [Fact]
    public async Task HoldUntilDue_SelectorThrows_FailsTheStream()
    {
        var (upstream, downstream) = Probe(Flow.FromGraph(new HoldUntilDueStage<int>(10, _ => throw new InvalidOperationException("bad due time"))));

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        (await downstream.ExpectErrorAsync()).Message.Should().Be("bad due time");
    }

    private static Flow<int, int, Akka.NotUsed> Hold(DateTimeOffset start, int capacity) =>
        Flow.FromGraph(new HoldUntilDueStage<int>(capacity, x => start.AddSeconds(x)));
}
