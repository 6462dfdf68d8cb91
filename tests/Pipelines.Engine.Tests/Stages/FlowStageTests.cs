using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Tests.Stages;

/// <summary>SelectMany, Scan, Aggregate, Take, TakeWhile, Grouped, Buffer, WatchTermination.</summary>
public sealed class FlowStageTests : StreamTestBase
{
    private static readonly Attributes Resuming = Attributes.Supervision(Deciders.ResumingDecider);

    [Fact]
    public async Task SelectMany_EmitsEachSequenceElementOnDemand()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectMany(x => Enumerable.Repeat(x, x)));

        downstream.Request(2);
        await upstream.SendNextAsync(3);
        await downstream.ExpectNextAsync(3, 3);
        await upstream.ExpectNoMessageAsync(NoMessage);

        upstream.SendComplete();
        downstream.Request(5);
        await downstream.ExpectNextAsync(3);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectMany_EmptySequences_AreSkipped()
    {
        var result = await Source.From([0, 2, 0, 1]).SelectMany(x => Enumerable.Range(1, x)).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 1);
    }

    [Fact]
    public async Task SelectMany_ResumingDecider_DropsTheRestOfAFailingSequence()
    {
        var result = await Source.From([1, 2, 3]).SelectMany(x => Explode(x)).WithAttributes(Resuming).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(10, 20, 30);

        static IEnumerable<int> Explode(int x)
        {
            yield return x * 10;
            if (x == 2)
            {
                throw new InvalidOperationException("boom");
            }
        }
    }

    [Fact]
    public async Task Scan_EmitsSeedThenRunningAggregate()
    {
        var result = await Source.From([1, 2, 3]).Scan(0, (acc, x) => acc + x).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(0, 1, 3, 6);
    }

    [Fact]
    public async Task Scan_EmptyUpstream_EmitsOnlyTheSeed()
    {
        var result = await Source.Empty<int>().Scan(100, (acc, x) => acc + x).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(100);
    }

    [Fact]
    public async Task Scan_ResumingDecider_KeepsTheAggregate()
    {
        var result = await Source.From([1, 2, 3]).Scan(0, (acc, x) => x == 2 ? throw new InvalidOperationException() : acc + x).WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(0, 1, 4);
    }

    [Fact]
    public async Task Scan_RestartingDecider_ResetsTheAggregate()
    {
        var result = await Source.From([1, 2, 3]).Scan(0, (acc, x) => x == 2 ? throw new InvalidOperationException() : acc + x)
            .WithAttributes(Attributes.Supervision(Deciders.RestartingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(0, 1, 3);
    }

    [Fact]
    public async Task Aggregate_EmitsTheFoldWhenUpstreamCompletes()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Aggregate(0L, (acc, x) => acc + x));

        downstream.Request(1);
        await upstream.SendNextAsync(1, 2, 3);
        await downstream.ExpectNoMessageAsync(NoMessage);
        upstream.SendComplete();

        await downstream.ExpectNextAsync(6L);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Aggregate_ResumingAndRestartingDeciders_KeepOrResetTheAggregate()
    {
        static int Add(int acc, int x) => x == 3 ? throw new InvalidOperationException() : acc + x;

        var resumed = await Source.From([1, 2, 3, 4]).Aggregate(0, Add).WithAttributes(Resuming).RunWith(Sink.First<int>(), Materializer);
        var restarted = await Source.From([1, 2, 3, 4]).Aggregate(0, Add).WithAttributes(Attributes.Supervision(Deciders.RestartingDecider))
            .RunWith(Sink.First<int>(), Materializer);

        resumed.Should().Be(7);
        restarted.Should().Be(4);
    }

    [Fact]
    public async Task Take_EmitsNThenCompletesAndCancelsUpstream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Take(2));

        downstream.Request(5);
        await upstream.SendNextAsync(1, 2);

        await downstream.ExpectNextAsync(1, 2);
        await downstream.ExpectCompleteAsync();
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Take_Zero_CompletesAtOnce()
    {
        var result = await Source.Repeat(1).Take(0).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().BeEmpty();
    }

    [Fact]
    public async Task TakeWhile_StopsAtTheFirstFailingElement()
    {
        var exclusive = await Source.From([1, 2, 5, 1]).TakeWhile(x => x < 3).RunWith(Sink.Seq<int>(), Materializer);
        var inclusive = await Source.From([1, 2, 5, 1]).TakeWhile(x => x < 3, inclusive: true).RunWith(Sink.Seq<int>(), Materializer);

        exclusive.Should().Equal(1, 2);
        inclusive.Should().Equal(1, 2, 5);
    }

    [Fact]
    public async Task Grouped_EmitsFullGroupsAndTheLastPartialOne()
    {
        var result = await Source.From(Enumerable.Range(1, 7)).Grouped(3).RunWith(Sink.Seq<IReadOnlyList<int>>(), Materializer);

        result.Should().HaveCount(3);
        result[0].Should().Equal(1, 2, 3);
        result[1].Should().Equal(4, 5, 6);
        result[2].Should().Equal(7);
    }

    [Fact]
    public async Task Grouped_BackPressure_PullsNoMoreThanOneGroupAhead()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Grouped(2));

        downstream.Request(1);
        await upstream.SendNextAsync(1, 2);
        (await downstream.ExpectNextAsync()).Should().Equal(1, 2);
        await upstream.ExpectNoMessageAsync(NoMessage);

        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Buffer_Backpressure_RunsAheadBySizeAndThenStops()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Buffer(3, OverflowStrategy.Backpressure));

        await upstream.SendNextAsync(1, 2, 3);
        await upstream.ExpectNoMessageAsync(NoMessage);

        await downstream.RequestNextAsync(1);
        await upstream.SendNextAsync(4);
        upstream.SendComplete();
        (await downstream.ToStrictAsync()).Should().Equal(2, 3, 4);
    }

    [Theory]
    [InlineData(OverflowStrategy.DropHead, new[] { 3, 4, 5 })]
    [InlineData(OverflowStrategy.DropTail, new[] { 1, 2, 5 })]
    [InlineData(OverflowStrategy.DropNew, new[] { 1, 2, 3 })]
    [InlineData(OverflowStrategy.DropBuffer, new[] { 4, 5 })]
    public async Task Buffer_DroppingStrategy_KeepsTheExpectedElements(OverflowStrategy strategy, int[] expected)
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Buffer(3, strategy));

        await upstream.SendNextAsync(1, 2, 3, 4, 5);
        upstream.SendComplete();

        (await downstream.ToStrictAsync()).Should().Equal(expected);
    }

    [Fact]
    public async Task Buffer_FailStrategyOverflows_FailsWithBufferOverflow()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Buffer(2, OverflowStrategy.Fail));

        await upstream.SendNextAsync(1, 2);
        (await upstream.ExpectRequestAsync()).Should().BeGreaterThan(0, "Fail keeps pulling so an overflow can be detected");
        await upstream.SendNextAsync(3);

        (await downstream.ExpectErrorAsync()).Should().BeOfType<BufferOverflowException>();
    }

    [Fact]
    public async Task Buffer_UpstreamFails_FailsAtOnceEvenWithBufferedElements()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Buffer(4, OverflowStrategy.Backpressure));
        var boom = new InvalidOperationException("boom");

        await upstream.SendNextAsync(1, 2);
        upstream.SendError(boom);

        (await downstream.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task WatchTermination_UpstreamCompletes_CompletesTheTask()
    {
        var (termination, result) = Source.From([1, 2]).WatchTermination(Keep.Right).ToMaterialized(Sink.Seq<int>(), Keep.Both).Run(Materializer);

        (await result).Should().Equal(1, 2);
        await termination.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WatchTermination_UpstreamFails_FaultsTheTask()
    {
        var termination = Source.Failed<int>(new InvalidOperationException("boom")).WatchTermination(Keep.Right).To(Sink.Ignore<int>()).Run(Materializer);

        await termination.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
    }

    [Fact]
    public async Task WatchTermination_DownstreamCancels_CompletesTheTask()
    {
        var termination = Source.Repeat(1).WatchTermination(Keep.Right).To(Sink.First<int>()).Run(Materializer);

        await termination.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
