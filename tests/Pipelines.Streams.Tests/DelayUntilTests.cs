using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.Streams.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>DelayUntil on the TestScheduler's virtual clock.</summary>
public sealed class DelayUntilTests(ITestOutputHelper output) : StageSpec(output)
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task DelayUntil_HeadNotDue_EmitsNothingBeforeItsDueTimeAndEmitsItThen()
    {
        var due = Scheduler.Now.AddSeconds(10);
        var (upstream, downstream) = Probe(Flow.Create<DateTimeOffset>().DelayUntil(d => d));

        downstream.Request(1);
        await upstream.SendNextAsync(due);
        await AwaitTimerAsync(due);
        Scheduler.AdvanceTo(due - OneTick);
        await downstream.ExpectNoMsgAsync(Quiet);

        Scheduler.AdvanceTo(due);
        (await downstream.ExpectNextAsync(Patience)).Should().Be(due);
    }

    [Fact]
    public async Task DelayUntil_HeadNotDue_TakesNoFurtherElement()
    {
        var start = Scheduler.Now;
        var selectorCalls = 0;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x =>
        {
            Interlocked.Increment(ref selectorCalls);
            return start.AddSeconds(x);
        }));

        downstream.Request(10);
        await upstream.SendNextAsync(5);
        await upstream.SendNextAsync(6);
        await upstream.SendNextAsync(7);
        await AwaitTimerAsync(start.AddSeconds(5));
        await downstream.ExpectNoMsgAsync(Quiet);
        Volatile.Read(ref selectorCalls).Should().Be(1, "the stage takes nothing more from upstream while its head is not due");

        Scheduler.AdvanceTo(start.AddSeconds(5));
        await downstream.ExpectNextAsync(5, Patience);
        await AwaitTimerAsync(start.AddSeconds(6));
        Volatile.Read(ref selectorCalls).Should().Be(2, "emitting the head pulls exactly one more element");
        await downstream.ExpectNoMsgAsync(Quiet);

        Scheduler.AdvanceTo(start.AddSeconds(7));
        await downstream.ExpectNextNAsync([6, 7], Patience);
    }

    [Fact]
    public async Task DelayUntil_ElementAlreadyDue_PassesAtOnce()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x => start.AddSeconds(x)));

        downstream.Request(3);
        await upstream.SendNextAsync(-5);
        await upstream.SendNextAsync(0);
        await downstream.ExpectNextNAsync([-5, 0], Patience);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_LaterElementDueEarlier_WaitsBehindTheHead()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x => start.AddSeconds(x)));

        downstream.Request(3);
        await upstream.SendNextAsync(8);
        await upstream.SendNextAsync(2);
        await upstream.SendNextAsync(9);
        await AwaitTimerAsync(start.AddSeconds(8));
        Scheduler.AdvanceTo(start.AddSeconds(5));
        await downstream.ExpectNoMsgAsync(Quiet);

        Scheduler.AdvanceTo(start.AddSeconds(8));
        await downstream.ExpectNextNAsync([8, 2], Patience);
        await downstream.ExpectNoMsgAsync(Quiet);
        await AwaitTimerAsync(start.AddSeconds(9));
        Scheduler.AdvanceTo(start.AddSeconds(9));
        await downstream.ExpectNextAsync(9, Patience);
    }

    [Fact]
    public async Task DelayUntil_DueWithoutDemand_EmitsWhenDownstreamAsks()
    {
        var start = Scheduler.Now;
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x => start.AddSeconds(x)));

        await downstream.EnsureSubscriptionAsync();
        await upstream.SendNextAsync(1);
        await AwaitTimerAsync(start.AddSeconds(1));
        Scheduler.AdvanceTo(start.AddSeconds(3));
        await downstream.ExpectNoMsgAsync(Quiet);

        downstream.Request(1);
        await downstream.ExpectNextAsync(1, Patience);
    }

    [Fact]
    public async Task DelayUntil_UpstreamCompletesWhileHolding_CompletesAfterTheHeldElement()
    {
        var due = Scheduler.Now.AddMinutes(1);
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(_ => due));

        downstream.Request(2);
        await upstream.SendNextAsync(1);
        await upstream.SendCompleteAsync();
        await AwaitTimerAsync(due);
        await downstream.ExpectNoMsgAsync(Quiet);

        Scheduler.AdvanceTo(due);
        await downstream.ExpectNextAsync(1, Patience);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_UpstreamCompletesWhileEmpty_CompletesAtOnce()
    {
        var result = await this.AssertAllStagesStoppedAsync(
            () => Source.Empty<int>().DelayUntil(_ => DateTimeOffset.MaxValue).RunWith(Sink.Seq<int>(), Materializer),
            Materializer);

        result.Should().BeEmpty();
    }

    [Fact]
    public async Task DelayUntil_UpstreamFails_FailsTheStream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(_ => DateTimeOffset.MaxValue));

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        await upstream.SendErrorAsync(new InvalidOperationException("upstream broke"));

        (await downstream.ExpectErrorAsync()).Message.Should().Be("upstream broke");
    }

    [Fact]
    public async Task DelayUntil_DownstreamCancels_CancelsUpstream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(_ => DateTimeOffset.MaxValue));

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        await downstream.CancelAsync();

        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task DelayUntil_SelectorThrowsWithResume_DropsTheElement()
    {
        var start = Scheduler.Now;
        var result = await Source.From([1, 2, 3])
            .DelayUntil(x => x == 2 ? throw new InvalidOperationException("no due time") : start)
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3);
    }

    [Fact]
    public async Task DelayUntil_SelectorThrowsWithDefaultSupervision_FailsTheStream()
    {
        var task = Source.From([1, 2, 3])
            .DelayUntil(x => x == 2 ? throw new InvalidOperationException("no due time") : DateTimeOffset.MinValue)
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("no due time");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task DelayUntil_SortedRandomDueTimes_EmitsExactlyTheDueElementsAtEveryStep(int seed)
    {
        // The delay-queue case: due times arrive in order. At every instant the clock is moved to, exactly the elements
        // due by then have left: none early, none held back.
        var random = new Random(seed);
        var start = Scheduler.Now;
        var dues = Enumerable.Range(0, 60).Select(_ => start.AddMilliseconds(random.Next(1, 20_000))).Order().ToArray();
        var downstream = Source.From(Enumerable.Range(0, dues.Length))
            .DelayUntil(i => dues[i])
            .RunWith(this.SinkProbe<int>(), Materializer);
        downstream.Request(dues.Length);

        var emitted = 0;
        var now = start;
        while (emitted < dues.Length)
        {
            await AwaitTimerAsync(dues[emitted]);
            now = random.Next(3) == 0 ? dues[emitted] : now.AddMilliseconds(random.Next(1, 2_000));
            Scheduler.AdvanceTo(now);
            var due = dues.Count(d => d <= now);
            if (due > emitted)
            {
                await downstream.ExpectNextNAsync(Enumerable.Range(emitted, due - emitted), Patience);
                emitted = due;
            }

            if (emitted < dues.Length)
            {
                await downstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20));
            }
        }

        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_OnSourceWithContext_EmitsEachElementWithItsContextWhenDue()
    {
        var start = Scheduler.Now;
        var records = new[] { (1, 500L), (3, 501L) };
        var downstream = SourceWithContext.FromTuples(Source.From(records))
            .DelayUntil(x => start.AddSeconds(x))
            .AsSource()
            .RunWith(this.SinkProbe<(int, long)>(), Materializer);

        downstream.Request(2);
        await AwaitTimerAsync(start.AddSeconds(1));
        Scheduler.AdvanceTo(start.AddSeconds(1));
        await downstream.ExpectNextAsync((1, 500L), Patience);
        await AwaitTimerAsync(start.AddSeconds(3));
        Scheduler.AdvanceTo(start.AddSeconds(3) - OneTick);
        await downstream.ExpectNoMsgAsync(Quiet);
        Scheduler.AdvanceTo(start.AddSeconds(3));
        await downstream.ExpectNextAsync((3, 501L), Patience);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_OnFlowWithContext_EmitsEachElementWithItsContextWhenDue()
    {
        var start = Scheduler.Now;
        var flow = FlowWithContext.Create<int, long>().DelayUntil(x => start.AddSeconds(x));
        var (upstream, downstream) = this.SourceProbe<(int, long)>()
            .Via(flow)
            .ToMaterialized(this.SinkProbe<(int, long)>(), Keep.Both)
            .Run(Materializer);

        downstream.Request(2);
        await upstream.SendNextAsync((2, 42L));
        await AwaitTimerAsync(start.AddSeconds(2));
        Scheduler.AdvanceTo(start.AddSeconds(2));
        await downstream.ExpectNextAsync((2, 42L), Patience);
        await upstream.SendNextAsync((0, 43L));
        await downstream.ExpectNextAsync((0, 43L), Patience);
    }

    [Fact]
    public async Task DelayUntil_OnSubFlow_HoldsEachSubstreamsHeadOnItsOwn()
    {
        // Substream 0's head is due late, substream 1's early: the early one is not held back by the other substream.
        var start = Scheduler.Now;
        var merged = (Source<int, NotUsed>)Source.From([10, 1])
            .GroupBy(2, x => x % 2)
            .DelayUntil(x => start.AddSeconds(x))
            .MergeSubstreams();
        var downstream = merged.RunWith(this.SinkProbe<int>(), Materializer);

        downstream.Request(2);
        await AwaitTimerAsync(start.AddSeconds(1));
        Scheduler.AdvanceTo(start.AddSeconds(1));
        await downstream.ExpectNextAsync(1, Patience);
        await AwaitTimerAsync(start.AddSeconds(10));
        Scheduler.AdvanceTo(start.AddSeconds(10));
        await downstream.ExpectNextAsync(10, Patience);
        await downstream.ExpectCompleteAsync();
    }
}
