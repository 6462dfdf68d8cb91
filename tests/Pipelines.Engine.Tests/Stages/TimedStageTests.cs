using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Tests.Stages;

/// <summary>GroupedWithin and DelayUntil, driven by the manual clock.</summary>
public sealed class TimedStageTests : StreamTestBase
{
    [Fact]
    public async Task GroupedWithin_GroupFillsBeforeTheInterval_EmitsTheFullGroup()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().GroupedWithin(3, TimeSpan.FromSeconds(10)));

        downstream.Request(1);
        await upstream.SendNextAsync(1, 2, 3);

        (await downstream.ExpectNextAsync()).Should().Equal(1, 2, 3);
        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task GroupedWithin_IntervalElapses_EmitsThePartialGroup()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().GroupedWithin(10, TimeSpan.FromSeconds(5)));

        downstream.Request(2);
        await upstream.SendNextAsync(1, 2);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromSeconds(4));
        await downstream.ExpectNoMessageAsync(NoMessage);
        Clock.Advance(TimeSpan.FromSeconds(1));

        (await downstream.ExpectNextAsync()).Should().Equal(1, 2);

        // The next group's interval starts with its first element.
        await upstream.SendNextAsync(3);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        (await downstream.ExpectNextAsync()).Should().Equal(3);

        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task GroupedWithin_NoElements_EmitsNoEmptyGroups()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().GroupedWithin(10, TimeSpan.FromSeconds(1)));

        downstream.Request(1);
        Clock.Advance(TimeSpan.FromSeconds(5));
        await downstream.ExpectNoMessageAsync(NoMessage);

        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task GroupedWithin_UpstreamCompletesWithPartialGroup_EmitsItBeforeCompleting()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().GroupedWithin(10, TimeSpan.FromHours(1)));

        await upstream.SendNextAsync(1, 2);
        upstream.SendComplete();
        await downstream.ExpectNoMessageAsync(NoMessage);
        downstream.Request(1);

        (await downstream.ExpectNextAsync()).Should().Equal(1, 2);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task GroupedWithin_FullGroupAndNoDemand_BackPressuresUpstream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().GroupedWithin(2, TimeSpan.FromSeconds(1)));

        await upstream.SendNextAsync(1, 2);
        await upstream.ExpectNoMessageAsync(NoMessage);

        (await downstream.RequestNextAsync()).Should().Equal(1, 2);
        (await upstream.ExpectRequestAsync()).Should().Be(1);
        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task DelayUntil_HoldsEachElementUntilDueAndBackPressuresMeanwhile()
    {
        var start = Clock.GetUtcNow();
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x => start.AddSeconds(x)));

        downstream.Request(5);
        await upstream.SendNextAsync(10);
        await Clock.WaitForTimersAsync();
        await upstream.ExpectNoMessageAsync(NoMessage);
        await downstream.ExpectNoMessageAsync(NoMessage);

        Clock.Advance(TimeSpan.FromSeconds(9));
        await downstream.ExpectNoMessageAsync(NoMessage);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await downstream.ExpectNextAsync(10);

        // Already due: emitted at once; an earlier due time behind a later one keeps arrival order.
        await upstream.SendNextAsync(3);
        await downstream.ExpectNextAsync(3);

        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_ElementsWithDueTimesOutOfOrder_EmitsInArrivalOrder()
    {
        var start = Clock.GetUtcNow();
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(x => start.AddSeconds(x)));

        downstream.Request(3);
        await upstream.SendNextAsync(5);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        await downstream.ExpectNextAsync(5);
        await upstream.SendNextAsync(2, 7);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromSeconds(2));

        await downstream.ExpectNextAsync(2, 7);
        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_UpstreamCompletesWhileHolding_EmitsTheHeldElementFirst()
    {
        var start = Clock.GetUtcNow();
        var (upstream, downstream) = Probe(Flow.Create<int>().DelayUntil(_ => start.AddMinutes(1)));

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        upstream.SendComplete();
        await Clock.WaitForTimersAsync();
        await downstream.ExpectNoMessageAsync(NoMessage);
        Clock.Advance(TimeSpan.FromMinutes(1));

        await downstream.ExpectNextAsync(1);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task DelayUntil_DueTimeFunctionFailsWithResume_DropsTheElement()
    {
        var start = Clock.GetUtcNow();
        var flow = Flow.Create<int>().DelayUntil(x => x == 2 ? throw new InvalidOperationException() : start)
            .WithAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From([1, 2, 3]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3);
    }
}
