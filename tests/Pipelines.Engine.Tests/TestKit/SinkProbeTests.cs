using Pipelines.Engine.Dsl;
using Pipelines.TestKit;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.TestKit;

public sealed class SinkProbeTests : StreamTestBase
{
    [Fact]
    public async Task ExpectNoMessageAsync_ZeroDurationWithASignalAlreadyArrived_Fails()
    {
        var sink = Source.From([1]).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(2);
        await sink.ExpectNextAsync(1);
        await Materializer.AssertAllStagesStoppedAsync();

        (await sink.Invoking(s => s.ExpectNoMessageAsync(TimeSpan.Zero)).Should().ThrowAsync<ExpectationFailedException>())
            .WithMessage("*but got OnComplete*");
    }

    [Fact]
    public async Task ExpectNoMessageAsync_SignalArrivesWithinTheDuration_Fails()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
        sink.Request(1);

        var quiet = sink.ExpectNoMessageAsync(TimeSpan.FromSeconds(30));
        await source.SendNextAsync(7);

        (await quiet.Invoking(t => t).Should().ThrowAsync<ExpectationFailedException>()).WithMessage("*but got OnNext(7)*");
        sink.Cancel();
    }

    [Fact]
    public async Task ExpectNoMessageAsync_NothingArrives_Passes()
    {
        var (source, sink) = TestSource.Probe<int>().ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await sink.ExpectNoMessageAsync(TimeSpan.Zero);
        await sink.ExpectNoMessageAsync(NoMessage);

        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }
}
