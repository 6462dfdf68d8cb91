using Pipelines.Streams.Dsl;
using Pipelines.Streams.Tests.Support;

namespace Pipelines.Streams.Tests.Stages;

public sealed class QueueSinkTests : StreamTest
{
    [Fact]
    public async Task PullAsync_StreamCompletes_ReturnsEveryElementThenNone()
    {
        var queue = Source.From([1, 2, 3]).RunWith(Sink.Queue<int>(), Materializer);

        (await queue.PullAsync()).Should().Be(Option.Some(1));
        (await queue.PullAsync()).Should().Be(Option.Some(2));
        (await queue.PullAsync()).Should().Be(Option.Some(3));
        (await queue.PullAsync()).HasValue.Should().BeFalse();
        (await queue.PullAsync()).HasValue.Should().BeFalse();
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task PullAsync_NothingBufferedYet_WaitsForTheNextElement()
    {
        var (source, queue) = Probes.Source<string>().ToMaterialized(Sink.Queue<string>(), Keep.Both).Run(Materializer);

        var pull = queue.PullAsync().AsTask();
        await source.ExpectRequestAsync();
        pull.IsCompleted.Should().BeFalse();
        source.SendNext("a");

        (await pull.WaitAsync(Probes.Timeout)).Should().Be(Option.Some("a"));
    }

    [Fact]
    public async Task Queue_ConsumerDoesNotPull_RequestsOnlyUpToTheBufferSize()
    {
        var (source, queue) = Probes.Source<int>().ToMaterialized(Sink.Queue<int>(bufferSize: 2), Keep.Both).Run(Materializer);

        await source.ExpectRequestAsync();
        source.SendNext(1);
        await source.ExpectRequestAsync();
        source.SendNext(2);
        await source.ExpectRequestAsync();
        source.SendNext(3);
        await source.ExpectNoMessageAsync(Probes.NoMessage);

        (await queue.PullAsync()).Should().Be(Option.Some(1));
        await source.ExpectRequestAsync();
    }

    [Fact]
    public async Task PullAsync_StreamFails_ReturnsTheBufferedElementsThenFailsWithTheError()
    {
        var boom = new InvalidOperationException("boom");
        var queue = Source.From([1, 2]).Select(x => x == 2 ? throw boom : x).RunWith(Sink.Queue<int>(), Materializer);

        (await queue.PullAsync()).Should().Be(Option.Some(1));
        (await queue.Invoking(q => q.PullAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Cancel_StreamRunning_CancelsUpstreamAndPullsReturnNone()
    {
        var (source, queue) = Probes.Source<int>().ToMaterialized(Sink.Queue<int>(), Keep.Both).Run(Materializer);

        await source.ExpectRequestAsync();
        source.SendNext(1);
        queue.Cancel();

        await source.ExpectCancellationAfterRequestsAsync();
        (await queue.PullAsync()).HasValue.Should().BeFalse();
        await AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task PullAsync_TokenCancelledWhileWaiting_ThrowsOperationCanceled()
    {
        var (_, queue) = Probes.Source<int>().ToMaterialized(Sink.Queue<int>(), Keep.Both).Run(Materializer);
        using var cts = new CancellationTokenSource();

        var pull = queue.PullAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await pull.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
    }
}
