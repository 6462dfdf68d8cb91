using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class SinkTests : StreamTestBase
{
    [Fact]
    public async Task Ignore_CompletesWithTheStream()
    {
        await Source.From(Enumerable.Range(0, 100)).RunWith(Sink.Ignore<int>(), Materializer);
    }

    [Fact]
    public async Task Ignore_UpstreamFails_FaultsTheTask()
    {
        var task = Source.Failed<int>(new InvalidOperationException("boom")).RunWith(Sink.Ignore<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
    }

    [Fact]
    public async Task ForEach_CallsTheActionForEachElementInOrder()
    {
        var seen = new List<int>();

        await Source.From([1, 2, 3]).RunForEach(seen.Add, Materializer);

        seen.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task ForEach_ActionThrows_FaultsTheTaskAndCancelsUpstream()
    {
        var (upstream, task) = TestSource.Probe<int>()
            .ToMaterialized(Sink.ForEach<int>(x => _ = x == 2 ? throw new InvalidOperationException("action failed") : x), Keep.Both)
            .Run(Materializer);

        await upstream.SendNextAsync(1, 2);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("action failed");
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task ForEach_ResumingDecider_SkipsTheFailingElement()
    {
        var seen = new List<int>();
        var sink = Sink.ForEach<int>(x =>
        {
            if (x == 2)
            {
                throw new InvalidOperationException();
            }

            seen.Add(x);
        }).WithAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        await Source.From([1, 2, 3]).RunWith(sink, Materializer);

        seen.Should().Equal(1, 3);
    }

    [Fact]
    public async Task ForEachAsync_RunsUpToParallelismCallsAndCompletesAfterAll()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var sum = 0;

        await Source.From(Enumerable.Range(1, 50)).RunWith(
            Sink.ForEachAsync<int>(4, async x =>
            {
                var now = Interlocked.Increment(ref inFlight);
                lock (this)
                {
                    maxInFlight = Math.Max(maxInFlight, now);
                }

                await Task.Yield();
                Interlocked.Add(ref sum, x);
                Interlocked.Decrement(ref inFlight);
            }),
            Materializer);

        sum.Should().Be(Enumerable.Range(1, 50).Sum());
        maxInFlight.Should().BeLessThanOrEqualTo(4);
    }

    [Fact]
    public async Task ForEachAsync_CallFails_FaultsTheTask()
    {
        var task = Source.From([1, 2, 3]).RunWith(
            Sink.ForEachAsync<int>(2, async x =>
            {
                await Task.Yield();
                if (x == 2)
                {
                    throw new InvalidOperationException("async action failed");
                }
            }),
            Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("async action failed");
    }

    [Fact]
    public async Task Seq_CollectsEverything()
    {
        var result = await Source.From(Enumerable.Range(0, 1000)).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 1000));
    }

    [Fact]
    public async Task First_TakesTheFirstElementAndCancelsUpstream()
    {
        var (upstream, first) = TestSource.Probe<int>().ToMaterialized(Sink.First<int>(), Keep.Both).Run(Materializer);

        await upstream.SendNextAsync(42);

        (await first).Should().Be(42);
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task First_EmptyStream_FaultsWithInvalidOperation()
    {
        var task = Source.Empty<int>().RunWith(Sink.First<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task FirstOrDefault_EmptyStream_GivesTheDefault()
    {
        (await Source.Empty<string>().RunWith(Sink.FirstOrDefault<string>(), Materializer)).Should().BeNull();
        (await Source.From(["a", "b"]).RunWith(Sink.FirstOrDefault<string>(), Materializer)).Should().Be("a");
    }

    [Fact]
    public async Task Last_GivesTheLastElement_AndFaultsOnEmpty()
    {
        (await Source.From([1, 2, 3]).RunWith(Sink.Last<int>(), Materializer)).Should().Be(3);
        (await Source.Empty<int>().RunWith(Sink.LastOrDefault<int>(), Materializer)).Should().Be(0);
        await Source.Empty<int>().RunWith(Sink.Last<int>(), Materializer).Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Aggregate_FoldsEverything_AndFaultsWhenUpstreamFails()
    {
        (await Source.From([1, 2, 3]).RunAggregate("", (acc, x) => acc + x, Materializer)).Should().Be("123");

        var failing = Source.From([1, 2]).Select(x => x == 2 ? throw new InvalidOperationException("boom") : x).RunWith(Sink.Aggregate<int, int>(0, (a, x) => a + x), Materializer);
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
    }

    [Fact]
    public async Task Aggregate_ResumingAndRestartingDeciders_KeepOrResetTheAccumulator()
    {
        static int Add(int acc, int x) => x == 3 ? throw new InvalidOperationException() : acc + x;

        var resumed = await Source.From([1, 2, 3, 4]).RunWith(Sink.Aggregate<int, int>(0, Add).WithAttributes(Attributes.Supervision(Deciders.ResumingDecider)), Materializer);
        var restarted = await Source.From([1, 2, 3, 4]).RunWith(Sink.Aggregate<int, int>(0, Add).WithAttributes(Attributes.Supervision(Deciders.RestartingDecider)), Materializer);

        resumed.Should().Be(7);
        restarted.Should().Be(4);
    }

    [Fact]
    public async Task Cancelled_CancelsUpstreamAtOnce()
    {
        var upstream = TestSource.Probe<int>().To(Sink.Cancelled<int>()).Run(Materializer);

        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task KillSwitch_Shutdown_CompletesDownstreamAndCancelsUpstream()
    {
        var ((upstream, killSwitch), downstream) = TestSource.Probe<int>()
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Both)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        downstream.Request(1);
        await upstream.SendNextAsync(1);
        await downstream.ExpectNextAsync(1);
        killSwitch.Shutdown();

        await downstream.ExpectCompleteAsync();
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task KillSwitch_Abort_FailsDownstreamAndCancelsUpstream()
    {
        var ((upstream, killSwitch), downstream) = TestSource.Probe<int>()
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Both)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);
        var boom = new InvalidOperationException("aborted");

        killSwitch.Abort(boom);

        (await downstream.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await upstream.ExpectCancellationAsync()).Should().BeSameAs(boom);
    }
}
