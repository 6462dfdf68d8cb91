using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class QueueSinkTests : StreamTestBase
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
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task PullAsync_NothingBufferedYet_WaitsForTheNextElement()
    {
        var (source, queue) = TestSource.Probe<string>().ToMaterialized(Sink.Queue<string>(), Keep.Both).Run(Materializer);

        var pull = queue.PullAsync().AsTask();
        await source.ExpectRequestAsync();
        pull.IsCompleted.Should().BeFalse();
        await source.SendNextAsync("a");

        (await pull.WaitAsync(Patience)).Should().Be(Option.Some("a"));

        queue.Cancel();
    }

    [Fact]
    public async Task Queue_ConsumerDoesNotPull_RequestsOnlyUpToTheBufferSize()
    {
        var (source, queue) = TestSource.Probe<int>().ToMaterialized(Sink.Queue<int>(bufferSize: 2), Keep.Both).Run(Materializer);

        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(3);
        await source.ExpectNoMessageAsync(NoMessage);

        (await queue.PullAsync()).Should().Be(Option.Some(1));
        await source.ExpectRequestAsync();

        queue.Cancel();
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
        var (source, queue) = TestSource.Probe<int>().ToMaterialized(Sink.Queue<int>(), Keep.Both).Run(Materializer);

        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        queue.Cancel();

        await source.ExpectCancellationAsync();
        (await queue.PullAsync()).HasValue.Should().BeFalse();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task PullAsync_TokenCancelledWhileWaiting_ThrowsOperationCanceled()
    {
        var (_, queue) = TestSource.Probe<int>().ToMaterialized(Sink.Queue<int>(), Keep.Both).Run(Materializer);
        using var cts = new CancellationTokenSource();

        var pull = queue.PullAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await pull.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();

        queue.Cancel();
    }
}
