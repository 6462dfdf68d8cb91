using Pipelines.Engine.Dsl;
using Pipelines.TestKit;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.TestKit;

public sealed class SourceProbeTests : StreamTestBase
{
    [Fact]
    public async Task ExpectCancellationWithoutFurtherDemandAsync_CancelledAfterTheConsumedDemand_ReturnsNullCause()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        (await source.ExpectRequestAsync()).Should().Be(1);
        sink.Cancel();

        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeNull();
    }

    [Fact]
    public async Task ExpectCancellationWithoutFurtherDemandAsync_StageFailsOnTheSentElement_ReturnsTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = TestSource.Probe<int>().Select(x => x == 1 ? throw boom : x).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(5);
        await source.SendNextAsync(1);

        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(boom);
        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task ExpectCancellationWithoutFurtherDemandAsync_DemandBeforeTheCancellation_FailsNamingTheDemand()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        sink.Cancel();

        (await source.Invoking(s => s.ExpectCancellationWithoutFurtherDemandAsync()).Should().ThrowAsync<ExpectationFailedException>())
            .WithMessage("Expected Cancel, but got Request(1).");
        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeNull();
    }

    [Fact]
    public async Task ExpectCancellationAsync_DemandBeforeTheCancellation_SkipsTheDemand()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        sink.Cancel();

        (await source.ExpectCancellationAsync()).Should().BeNull();
    }

    [Fact]
    public async Task ExpectNoMessageAsync_ZeroDurationWithASignalAlreadyArrived_Fails()
    {
        var source = TestSource.Probe<int>().To(Sink.Cancelled<int>()).Run(Materializer);
        await Materializer.AssertAllStagesStoppedAsync();

        (await source.Invoking(s => s.ExpectNoMessageAsync(TimeSpan.Zero)).Should().ThrowAsync<ExpectationFailedException>())
            .WithMessage("*but got Cancel*");
    }

    [Fact]
    public async Task ExpectNoMessageAsync_ZeroDurationWithNothingPending_Passes()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await source.ExpectNoMessageAsync(TimeSpan.Zero);

        sink.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
    }
}
