using System.Threading.Channels;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class MergeSubstreamsStageTests : StreamTestBase
{
    private readonly Channel<SourceProbe<int>> _started = Channel.CreateUnbounded<SourceProbe<int>>();

    [Fact]
    public async Task MergeSubstreams_Substreams_EmitsTheElementsOfAllOfThem()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        sink.Request(10);
        await upstream.SendNextAsync(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        await first.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await second.SendNextAsync(2);
        await sink.ExpectNextAsync(2);
        await first.SendNextAsync(3);
        await sink.ExpectNextAsync(3);

        sink.Cancel();
    }

    [Fact]
    public async Task MergeSubstreams_Breadth_RunsAtMostThatManySubstreamsAtOnce()
    {
        var (upstream, sink) = RunMerge(breadth: 2);

        sink.Request(10);
        await upstream.SendNextAsync(Substream(), Substream());
        var third = upstream.SendNextAsync(Substream());
        var first = await NextStartedAsync();
        await NextStartedAsync();
        await ExpectNoneStartedAsync();

        first.SendComplete();
        await third;
        await NextStartedAsync();

        sink.Cancel();
    }

    [Fact]
    public async Task MergeSubstreams_DownstreamBackPressures_EachSubstreamStopsWhenItsBufferIsFull()
    {
        var (upstream, sink) = RunMerge(breadth: 10, bufferSize: 2);

        await upstream.SendNextAsync(Substream());
        var substream = await NextStartedAsync();
        await substream.ExpectRequestAsync();
        await substream.SendNextAsync(1);
        await substream.ExpectRequestAsync();
        await substream.SendNextAsync(2);
        await substream.ExpectNoMessageAsync(NoMessage);

        sink.Request(1);
        await sink.ExpectNextAsync(1);
        await substream.ExpectRequestAsync();

        sink.Cancel();
    }

    [Fact]
    public async Task MergeSubstreams_UpstreamCompletes_CompletesOnceEverySubstreamCompleted()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        sink.Request(10);
        await upstream.SendNextAsync(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        upstream.SendComplete();
        await first.SendNextAsync(1);
        first.SendComplete();
        await sink.ExpectNextAsync(1);
        await sink.ExpectNoMessageAsync(NoMessage);

        second.SendComplete();
        await sink.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_SubstreamFails_FailsAndCancelsTheOtherSubstreamsAndUpstream()
    {
        var (upstream, sink) = RunMerge(breadth: 10);
        var boom = new InvalidOperationException("boom");

        sink.Request(10);
        await upstream.SendNextAsync(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        first.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await second.ExpectCancellationAsync()).Should().BeSameAs(boom);
        await upstream.ExpectCancellationAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_UpstreamFails_FailsAndCancelsTheSubstreams()
    {
        var (upstream, sink) = RunMerge(breadth: 10);
        var boom = new InvalidOperationException("boom");

        sink.Request(10);
        await upstream.SendNextAsync(Substream());
        var substream = await NextStartedAsync();
        upstream.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        // The substream may or may not have requested before the failure reached it.
        (await substream.ExpectCancellationAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_DownstreamCancels_CancelsEverySubstreamAndUpstream()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        await upstream.SendNextAsync(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        sink.Cancel();

        await first.ExpectCancellationAsync();
        await second.ExpectCancellationAsync();
        await upstream.ExpectCancellationAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    private Source<int, NotUsed> Substream() =>
        TestSource.Probe<int>().MapMaterializedValue(probe =>
        {
            _started.Writer.TryWrite(probe);
            return NotUsed.Instance;
        });

    private async Task<SourceProbe<int>> NextStartedAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _started.Reader.ReadAsync(cts.Token);
    }

    private async Task ExpectNoneStartedAsync()
    {
        using var cts = new CancellationTokenSource(NoMessage);
        var started = await _started.Reader.WaitToReadAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default);
        started.Should().BeFalse("no substream beyond the breadth may start");
    }

    private (SourceProbe<Source<int, NotUsed>> Upstream, SinkProbe<int> Sink) RunMerge(int breadth, int bufferSize = 16) =>
        TestSource.Probe<Source<int, NotUsed>>()
            .Via(Flow.FromGraph(new MergeSubstreamsStage<int>(breadth)).AddAttributes(Attributes.InputBuffer(bufferSize, bufferSize)))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);
}
