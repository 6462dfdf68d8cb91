using System.Threading.Channels;
using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;
using Pipelines.Streams.Stages;
using Pipelines.Streams.Tests.Support;

namespace Pipelines.Streams.Tests.Stages;

public sealed class MergeSubstreamsStageTests : StreamTest
{
    private readonly Channel<SourceProbe<int>> _started = Channel.CreateUnbounded<SourceProbe<int>>();

    [Fact]
    public async Task MergeSubstreams_Substreams_EmitsTheElementsOfAllOfThem()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        sink.Request(10);
        upstream.SendNext(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        first.SendNext(1);
        await sink.ExpectNextAsync(1);
        second.SendNext(2);
        await sink.ExpectNextAsync(2);
        first.SendNext(3);
        await sink.ExpectNextAsync(3);
    }

    [Fact]
    public async Task MergeSubstreams_Breadth_RunsAtMostThatManySubstreamsAtOnce()
    {
        var (upstream, sink) = RunMerge(breadth: 2);

        sink.Request(10);
        upstream.SendNext(Substream(), Substream(), Substream());
        var first = await NextStartedAsync();
        await NextStartedAsync();
        await ExpectNoneStartedAsync();

        first.SendComplete();
        await NextStartedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_DownstreamBackPressures_EachSubstreamStopsWhenItsBufferIsFull()
    {
        var (upstream, sink) = RunMerge(breadth: 10, bufferSize: 2);

        upstream.SendNext(Substream());
        var substream = await NextStartedAsync();
        await substream.ExpectRequestAsync();
        substream.SendNext(1);
        await substream.ExpectRequestAsync();
        substream.SendNext(2);
        await substream.ExpectNoMessageAsync(Probes.NoMessage);

        sink.Request(1);
        await sink.ExpectNextAsync(1);
        await substream.ExpectRequestAsync();
    }

    [Fact]
    public async Task MergeSubstreams_UpstreamCompletes_CompletesOnceEverySubstreamCompleted()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        sink.Request(10);
        upstream.SendNext(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        upstream.SendComplete();
        first.SendNext(1).SendComplete();
        await sink.ExpectNextAsync(1);
        await sink.ExpectNoMessageAsync(Probes.NoMessage);

        second.SendComplete();
        await sink.ExpectCompleteAsync();
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_SubstreamFails_FailsAndCancelsTheOtherSubstreamsAndUpstream()
    {
        var (upstream, sink) = RunMerge(breadth: 10);
        var boom = new InvalidOperationException("boom");

        sink.Request(10);
        upstream.SendNext(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        first.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await second.ExpectCancellationAfterRequestsAsync()).Should().BeSameAs(boom);
        await upstream.ExpectCancellationAfterRequestsAsync();
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_UpstreamFails_FailsAndCancelsTheSubstreams()
    {
        var (upstream, sink) = RunMerge(breadth: 10);
        var boom = new InvalidOperationException("boom");

        sink.Request(10);
        upstream.SendNext(Substream());
        var substream = await NextStartedAsync();
        upstream.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        // The substream may or may not have requested before the failure reached it.
        (await substream.ExpectCancellationAfterRequestsAsync()).Should().BeSameAs(boom);
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_DownstreamCancels_CancelsEverySubstreamAndUpstream()
    {
        var (upstream, sink) = RunMerge(breadth: 10);

        upstream.SendNext(Substream(), Substream());
        var first = await NextStartedAsync();
        var second = await NextStartedAsync();
        sink.Cancel();

        await first.ExpectCancellationAfterRequestsAsync();
        await second.ExpectCancellationAfterRequestsAsync();
        await upstream.ExpectCancellationAfterRequestsAsync();
        await AssertAllStagesStoppedAsync();
    }

    private Source<int, NotUsed> Substream() =>
        Probes.Source<int>().MapMaterializedValue(probe =>
        {
            _started.Writer.TryWrite(probe);
            return NotUsed.Instance;
        });

    private async Task<SourceProbe<int>> NextStartedAsync()
    {
        using var cts = new CancellationTokenSource(Probes.Timeout);
        return await _started.Reader.ReadAsync(cts.Token);
    }

    private async Task ExpectNoneStartedAsync()
    {
        using var cts = new CancellationTokenSource(Probes.NoMessage);
        var started = await _started.Reader.WaitToReadAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default);
        started.Should().BeFalse("no substream beyond the breadth may start");
    }

    private (SourceProbe<Source<int, NotUsed>> Upstream, SinkProbe<int> Sink) RunMerge(int breadth, int bufferSize = 16) =>
        Probes.Source<Source<int, NotUsed>>()
            .Via(Flow.FromGraph(new MergeSubstreamsStage<int>(breadth)).AddAttributes(Attributes.InputBuffer(bufferSize, bufferSize)))
            .ToMaterialized(Probes.Sink<int>(), Keep.Both)
            .Run(Materializer);
}
