using Pipelines.TestKit;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Tests.Support;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class RestartFlowStageTests : StreamTestBase
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private int _incarnations;

    [Fact]
    public async Task WithBackoff_FlowFails_RunsAFreshFlowAfterTheBackoffForTheNextElements()
    {
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative));
        sink.Request(10);

        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(10);
        await source.SendNextAsync(-1);
        await Clock.WaitForTimersAsync();
        Clock.Advance(Second - Ms);
        Volatile.Read(ref _incarnations).Should().Be(1);
        Clock.Advance(Ms);
        await source.SendNextAsync(2);

        await sink.ExpectNextAsync(20);
        Volatile.Read(ref _incarnations).Should().Be(2);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task WithBackoff_FlowKeepsFailing_BacksOffExponentially()
    {
        var settings = new RestartSettings(Second, TimeSpan.FromSeconds(4), 0, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var (source, sink) = Run(RestartFlow.WithBackoff(settings, TimesTenFailingOnNegative));
        sink.Request(10);

        foreach (var (delay, incarnation) in new[] { (1, 2), (2, 3), (4, 4), (4, 5) })
        {
            await source.SendNextAsync(-1);
            await Clock.WaitForTimersAsync();
            Clock.Advance(TimeSpan.FromSeconds(delay) - Ms);
            Clock.ActiveTimerCount.Should().Be(1);
            Clock.Advance(Ms);
            await Eventually.TrueAsync(() => Volatile.Read(ref _incarnations) == incarnation, what: $"incarnation {incarnation}");
        }

        await source.SendNextAsync(3);
        await sink.ExpectNextAsync(30);
        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_UpstreamCompletes_CompletesAfterTheFlowWithoutRestart()
    {
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative));
        sink.Request(10);

        await source.SendNextAsync(1, 2);
        source.SendComplete();

        await sink.ExpectNextAsync(10, 20);
        await sink.ExpectCompleteAsync();
        Clock.ActiveTimerCount.Should().Be(0);
        Volatile.Read(ref _incarnations).Should().Be(1);
    }

    [Fact]
    public async Task WithBackoff_FlowCompletesWhileUpstreamRuns_RestartsIt()
    {
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), () => CountIncarnation(Flow.Create<int>().Take(1))));
        sink.Request(10);

        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await Clock.WaitForTimersAsync();
        Clock.Advance(Second);
        await source.SendNextAsync(2);
        await sink.ExpectNextAsync(2);

        Volatile.Read(ref _incarnations).Should().Be(2);
        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task OnFailuresWithBackoff_FlowCompletes_CompletesTheStreamAndCancelsUpstream()
    {
        var (source, sink) = Run(RestartFlow.OnFailuresWithBackoff(new RestartSettings(Second, Second, 0), () => CountIncarnation(Flow.Create<int>().Take(1))));
        sink.Request(10);

        await source.SendNextAsync(1);

        await sink.ExpectNextAsync(1);
        await sink.ExpectCompleteAsync();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_MaxRestartsReached_FailsWithTheLastFailure()
    {
        var settings = new RestartSettings(Second, Second, 0, maxRestarts: 1, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var (source, sink) = Run(RestartFlow.WithBackoff(settings, TimesTenFailingOnNegative));
        sink.Request(10);

        await source.SendNextAsync(-1);
        await Clock.WaitForTimersAsync();
        Clock.Advance(Second);
        await source.SendNextAsync(-2);

        (await sink.ExpectErrorAsync()).Message.Should().Be("-2");
        await source.ExpectCancellationAsync();
        Volatile.Read(ref _incarnations).Should().Be(2);
    }

    [Fact]
    public async Task WithBackoff_UpstreamFails_FailsTheStreamThroughTheFlow()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative));
        sink.Request(10);

        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        Volatile.Read(ref _incarnations).Should().Be(1);
    }

    [Fact]
    public async Task WithBackoff_NoDownstreamDemand_UpstreamIsNotPulled()
    {
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative));

        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(1);
        (await source.ExpectRequestAsync()).Should().Be(1);
        await source.SendNextAsync(4);
        await sink.ExpectNextAsync(40);
        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_DownstreamCancels_CancelsUpstream()
    {
        var (source, sink) = Run(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative));

        sink.Cancel();

        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_ManyElements_PassThroughInOrder()
    {
        var result = await Source.From(Enumerable.Range(1, 1000))
            .Via(RestartFlow.WithBackoff(new RestartSettings(Second, Second, 0), TimesTenFailingOnNegative))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 1000).Select(x => x * 10));
    }

    private Flow<int, int, NotUsed> TimesTenFailingOnNegative() =>
        CountIncarnation(Flow.Create<int>().Select(x => x < 0 ? throw new InvalidOperationException(x.ToString(System.Globalization.CultureInfo.InvariantCulture)) : x * 10));

    private Flow<int, int, NotUsed> CountIncarnation(Flow<int, int, NotUsed> flow)
    {
        Interlocked.Increment(ref _incarnations);
        return flow;
    }

    private (SourceProbe<int> Source, SinkProbe<int> Sink) Run(Flow<int, int, NotUsed> flow) =>
        TestSource.Probe<int>().Via(flow).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
}
