using Microsoft.Extensions.Logging;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class RecoverStageTests : StreamTestBase
{
    [Fact]
    public async Task Recover_UpstreamFailsAndFunctionReturnsElement_EmitsItThenCompletes()
    {
        var (source, sink) = TestSource.Probe<int>().Recover(_ => -1).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        source.SendError(new InvalidOperationException("boom"));

        await sink.ExpectNextAsync(1, 2, -1);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Recover_FunctionReturnsNone_FailsWithTheOriginalException()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = TestSource.Probe<int>()
            .Recover(ex => ex is TimeoutException ? -1 : Option<int>.None)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Recover_DownstreamHasNoDemand_RecoveredElementWaitsForIt()
    {
        var (source, sink) = TestSource.Probe<int>().Recover(_ => -1).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        source.SendError(new InvalidOperationException("boom"));
        await sink.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        sink.Request(1);
        await sink.ExpectNextAsync(-1);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Recover_UpstreamDoesNotPush_NoDemandWithoutDownstreamDemand()
    {
        var (source, sink) = TestSource.Probe<int>().Recover(_ => -1).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(1);
        (await source.ExpectRequestAsync()).Should().Be(1);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Recover_FunctionThrows_FailsWithItsExceptionAndLogsTheOriginal()
    {
        var original = new InvalidOperationException("original");
        var secondary = new ArgumentException("recovery broke");
        var (source, sink) = TestSource.Probe<int>().Recover(_ => throw secondary).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        source.SendError(original);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(secondary);
        Logger.Entries.Should().Contain(e => e.Level == LogLevel.Error && ReferenceEquals(e.Exception, original));
    }

    [Fact]
    public async Task Recover_UpstreamCompletes_CompletesWithoutCallingTheFunction()
    {
        var calls = 0;
        var result = await Source.From([1, 2, 3]).Recover(_ => ++calls).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 3);
        calls.Should().Be(0);
    }

    [Fact]
    public async Task Recover_DownstreamCancels_CancelsUpstream()
    {
        var (source, sink) = TestSource.Probe<int>().Recover(_ => -1).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        sink.Cancel();

        await source.ExpectCancellationAsync();
    }
}
