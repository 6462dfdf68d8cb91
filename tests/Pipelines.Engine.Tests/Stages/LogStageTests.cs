using Pipelines.TestKit;
using Microsoft.Extensions.Logging;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Tests.Support;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class LogStageTests : StreamTestBase
{
    [Fact]
    public async Task Log_Elements_PassesThemOnAndLogsEachAndTheCompletion()
    {
        var result = await Source.From([1, 2, 3]).Log("numbers", x => x * 100).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 3);
        Logger.Entries.Where(e => e.Level == LogLevel.Debug).Select(e => e.Message).Should().Equal(
            "[numbers] Element: 100", "[numbers] Element: 200", "[numbers] Element: 300", "[numbers] Upstream finished");
    }

    [Fact]
    public async Task Log_UpstreamFails_LogsTheFailureAtErrorAndPropagatesIt()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = TestSource.Probe<int>().Log("numbers").ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        Logger.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error && ReferenceEquals(e.Exception, boom) && e.Message == "[numbers] Upstream failed: boom");
    }

    [Fact]
    public async Task Log_DownstreamCancels_LogsItAndCancelsUpstream()
    {
        var (source, sink) = TestSource.Probe<int>().Log("numbers").ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Cancel();

        await source.ExpectCancellationAsync();
        await Eventually.TrueAsync(() => Logger.Entries.Any(e => e.Message == "[numbers] Downstream finished"), what: "the cancellation to be logged");
    }

    [Fact]
    public async Task Log_NoDemand_DoesNotPullUpstream()
    {
        var (source, sink) = TestSource.Probe<int>().Log("numbers").ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(1);
        (await source.ExpectRequestAsync()).Should().Be(1);
        await source.SendNextAsync(5);
        await sink.ExpectNextAsync(5);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Log_LevelsGiven_UsesThemAndSkipsNone()
    {
        var levels = new LogLevels(OnElement: LogLevel.Information, OnFinish: LogLevel.None);

        await Source.From([1]).Log("numbers", levels: levels).RunWith(Sink.Ignore<int>(), Materializer);

        Logger.Entries.Should().ContainSingle().Which.Should().Be(new LogEntry(LogLevel.Information, "[numbers] Element: 1", null));
    }

    [Fact]
    public async Task Log_LevelsAttribute_IsHonoured()
    {
        var flow = Flow.Create<int>().Log("numbers").AddAttributes(Attributes.Create(new LogLevels(OnElement: LogLevel.Warning)));

        await Source.From([1]).Via(flow).RunWith(Sink.Ignore<int>(), Materializer);

        Logger.Entries.Should().Contain(new LogEntry(LogLevel.Warning, "[numbers] Element: 1", null));
    }

    [Fact]
    public async Task Log_ExtractThrowsUnderResume_DropsTheElement()
    {
        var flow = Flow.Create<int>().Log("numbers", x => x == 2 ? throw new InvalidOperationException("bad") : x)
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From([1, 2, 3]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3);
    }
}
