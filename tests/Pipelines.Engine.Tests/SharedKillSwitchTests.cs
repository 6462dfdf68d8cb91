using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests;

public sealed class SharedKillSwitchTests : StreamTestBase
{
    private readonly SharedKillSwitch _switch = new("orders");

    [Fact]
    public async Task Shutdown_TwoStreams_CompletesBothDownstreamsAndCancelsBothUpstreams()
    {
        var (source1, sink1) = Run();
        var (source2, sink2) = Run();
        sink1.Request(1);
        sink2.Request(1);
        await source1.SendNextAsync(1);
        await source2.SendNextAsync(2);
        await sink1.ExpectNextAsync(1);
        await sink2.ExpectNextAsync(2);

        _switch.Shutdown();

        await sink1.ExpectCompleteAsync();
        await sink2.ExpectCompleteAsync();
        await source1.ExpectCancellationAsync();
        await source2.ExpectCancellationAsync();
        _switch.IsTriggered.Should().BeTrue();
    }

    [Fact]
    public async Task Abort_TwoStreams_FailsBothWithTheCause()
    {
        var boom = new InvalidOperationException("boom");
        var (source1, sink1) = Run();
        var (source2, sink2) = Run();

        _switch.Abort(boom);

        (await sink1.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await sink2.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await source1.ExpectCancellationAsync()).Should().BeSameAs(boom);
        (await source2.ExpectCancellationAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Flow_MaterializedAfterShutdown_CompletesAtOnce()
    {
        _switch.Shutdown();

        var (source, sink) = Run();

        await sink.ExpectCompleteAsync();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Abort_AfterShutdown_DoesNothing()
    {
        var (source, sink) = Run();
        _switch.Shutdown();
        _switch.Abort(new InvalidOperationException("late"));

        await sink.ExpectCompleteAsync();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Flow_BeforeTheSwitchIsUsed_PassesElementsWithBackPressure()
    {
        var (source, sink) = Run();

        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(2);
        await source.SendNextAsync(1, 2);
        await sink.ExpectNextAsync(1, 2);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Flow_UpstreamFails_FailsDownstreamWithoutTriggeringTheSwitch()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = Run();

        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        _switch.IsTriggered.Should().BeFalse();
    }

    [Fact]
    public async Task Flow_MaterializedValue_IsTheSwitch()
    {
        var (killSwitch, task) = Source.From([1, 2, 3]).ViaMaterialized(_switch.Flow<int>(), Keep.Right).ToMaterialized(Sink.Seq<int>(), Keep.Both).Run(Materializer);

        killSwitch.Should().BeSameAs(_switch);
        (await task).Should().Equal(1, 2, 3);
    }

    private (SourceProbe<int> Source, SinkProbe<int> Sink) Run() =>
        TestSource.Probe<int>().Via(_switch.Flow<int>()).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
}
