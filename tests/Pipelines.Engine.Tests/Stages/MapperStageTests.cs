using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Tests.Stages;

/// <summary>Select, Where, Collect, Skip, SkipWhile: the fusable mapper operators.</summary>
public sealed class MapperStageTests : StreamTestBase
{
    private static readonly Attributes Resuming = Attributes.Supervision(Deciders.ResumingDecider);

    [Fact]
    public async Task Select_BackPressure_PullsUpstreamOnlyForDownstreamDemand()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        downstream.Request(1);
        (await upstream.ExpectRequestAsync()).Should().Be(1);
        await upstream.SendNextAsync(5);
        await downstream.ExpectNextAsync("5");
        await upstream.ExpectNoMessageAsync(NoMessage);

        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Select_ResumingDecider_DropsTheFailingElementAndContinues()
    {
        var result = await Source.From([1, 2, 0, 4]).Select(x => 4 / x).WithAttributes(Resuming).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(4, 2, 1);
    }

    [Fact]
    public async Task Select_RestartingDecider_DropsTheFailingElementAndContinues()
    {
        var flow = Flow.Create<int>().Select(x => 4 / x).WithAttributes(Attributes.Supervision(Deciders.RestartingDecider));

        var result = await Source.From([0, 1, 0, 2]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(4, 2);
    }

    [Fact]
    public async Task Select_DeciderChoosesPerException_StopsOnlyOnTheChosenOnes()
    {
        var decider = Attributes.Supervision(ex => ex is DivideByZeroException ? Directive.Resume : Directive.Stop);
        var flow = Flow.Create<int>().Select(x => x < 0 ? throw new ArgumentException("negative") : 4 / x).WithAttributes(decider);

        var task = Source.From([1, 0, -1, 2]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<ArgumentException>().WithMessage("negative");
    }

    [Fact]
    public async Task Where_PassesOnlyMatchingElementsAndRequestsMoreForDroppedOnes()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Where(x => x % 2 == 0));

        downstream.Request(1);
        await upstream.SendNextAsync(1, 3, 4);
        await downstream.ExpectNextAsync(4);
        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Where_ResumingDecider_DropsElementsThePredicateFailedOn()
    {
        var result = await Source.From([1, 2, 3, 4]).Where(x => x == 3 ? throw new InvalidOperationException() : x > 1).WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(2, 4);
    }

    [Fact]
    public async Task Where_ResumingDeciderAfterOnlyFilteredElements_EmitsNothingForThem()
    {
        // The first element arrives alone, the rest as one batch in which the failure comes after a filtered element and
        // before any passed one: nothing of the batch before the failure may be emitted.
        var result = await Source.From([5, 1, 3, 2, 4]).Where(x => x == 3 ? throw new InvalidOperationException() : x > 1).WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(5, 2, 4);
    }

    [Fact]
    public async Task Where_PredicateThrowsWithDefaultSupervision_FailsTheStream()
    {
        var task = Source.From([1, 2]).Where(x => x == 2 ? throw new InvalidOperationException("bad predicate") : true).RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("bad predicate");
    }

    [Fact]
    public async Task Collect_MapsDefinedElementsAndDropsOthers()
    {
        object[] items = [1, "two", 3, "four"];

        var result = await Source.From(items).Collect(x => x is string, x => ((string)x).ToUpperInvariant()).RunWith(Sink.Seq<string>(), Materializer);

        result.Should().Equal("TWO", "FOUR");
    }

    [Fact]
    public async Task Skip_DropsTheFirstElements()
    {
        var result = await Source.From(Enumerable.Range(1, 6)).Skip(4).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(5, 6);
    }

    [Fact]
    public async Task SkipWhile_DropsUntilThePredicateFailsOnceThenPassesEverything()
    {
        var result = await Source.From([1, 2, 5, 1, 7]).SkipWhile(x => x < 3).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(5, 1, 7);
    }

    [Fact]
    public async Task Mappers_ChainedWithDifferentSupervision_EachKeepsItsOwnDecider()
    {
        var resumingSelect = Flow.Create<int>().Select(x => 12 / x).WithAttributes(Resuming);
        var stoppingSelect = Flow.Create<int>().Select(x => x == 6 ? throw new InvalidOperationException("six") : x);

        var task = Source.From([0, 1, 2, 3]).Via(resumingSelect).Where(x => x > 0).Via(stoppingSelect).RunWith(Sink.Seq<int>(), Materializer);

        // 0 is dropped by the resuming Select; 12/2 = 6 then stops the stream in the stopping Select.
        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("six");
    }

    [Fact]
    public async Task Mappers_AcrossAnAsyncBoundary_StayCorrect()
    {
        var result = await Source.From(Enumerable.Range(0, 100)).Select(x => x * 2).Async().Where(x => x % 3 == 0).Skip(2).Select(x => x + 1)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 100).Select(x => x * 2).Where(x => x % 3 == 0).Skip(2).Select(x => x + 1));
    }

    [Fact]
    public async Task Where_AllElementsFilteredFromAnEndlessSource_StillYieldsAndCanBeCancelled()
    {
        var probe = Source.Repeat(1).Where(x => x > 1).RunWith(Pipelines.TestKit.Engine.TestSink.Probe<int>(), Materializer);

        probe.Request(1);
        await probe.ExpectNoMessageAsync(NoMessage);
        probe.Cancel();
    }
}
