using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class QueueSourceTests : StreamTestBase
{
    [Fact]
    public async Task OfferAsync_WithDemand_EmitsInOrder()
    {
        var (queue, probe) = Run(4, OverflowStrategy.Backpressure);

        probe.Request(3);
        (await queue.OfferAsync(1)).Should().Be(QueueOfferResult.Enqueued);
        (await queue.OfferAsync(2)).Should().Be(QueueOfferResult.Enqueued);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.Enqueued);

        await probe.ExpectNextAsync(1, 2, 3);
        queue.Complete();
        await probe.ExpectCompleteAsync();
        await queue.WatchCompletionAsync();
    }

    [Fact]
    public async Task OfferAsync_BufferFullWithBackpressure_WaitsUntilDownstreamPulls()
    {
        var (queue, probe) = Run(2, OverflowStrategy.Backpressure);

        (await queue.OfferAsync(1)).Should().Be(QueueOfferResult.Enqueued);
        (await queue.OfferAsync(2)).Should().Be(QueueOfferResult.Enqueued);
        var third = queue.OfferAsync(3).AsTask();
        await probe.ExpectNoMessageAsync(NoMessage);
        third.IsCompleted.Should().BeFalse("the buffer is full and downstream has not pulled");

        await probe.RequestNextAsync(1);
        (await third.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(QueueOfferResult.Enqueued);
        probe.Request(2);
        await probe.ExpectNextAsync(2, 3);

        queue.Complete();
        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task OfferAsync_ZeroBuffer_CompletesOnlyWhenDownstreamTakesTheElement()
    {
        var (queue, probe) = Run(0, OverflowStrategy.Backpressure);

        var offer = queue.OfferAsync(1).AsTask();
        await probe.ExpectNoMessageAsync(NoMessage);
        offer.IsCompleted.Should().BeFalse();

        await probe.RequestNextAsync(1);
        (await offer.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(QueueOfferResult.Enqueued);
        queue.Complete();
        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task OfferAsync_DropNewWhenFull_ReturnsDroppedAndKeepsTheBuffer()
    {
        var (queue, probe) = Run(2, OverflowStrategy.DropNew);

        await queue.OfferAsync(1);
        await queue.OfferAsync(2);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.Dropped);
        queue.Complete();

        (await probe.ToStrictAsync()).Should().Equal(1, 2);
    }

    [Fact]
    public async Task OfferAsync_DropHeadWhenFull_DropsTheOldest()
    {
        var (queue, probe) = Run(2, OverflowStrategy.DropHead);

        await queue.OfferAsync(1);
        await queue.OfferAsync(2);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.Enqueued);
        queue.Complete();

        (await probe.ToStrictAsync()).Should().Equal(2, 3);
    }

    [Fact]
    public async Task OfferAsync_DropTailWhenFull_DropsTheNewestBuffered()
    {
        var (queue, probe) = Run(2, OverflowStrategy.DropTail);

        await queue.OfferAsync(1);
        await queue.OfferAsync(2);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.Enqueued);
        queue.Complete();

        (await probe.ToStrictAsync()).Should().Equal(1, 3);
    }

    [Fact]
    public async Task OfferAsync_DropBufferWhenFull_KeepsOnlyTheNewElement()
    {
        var (queue, probe) = Run(2, OverflowStrategy.DropBuffer);

        await queue.OfferAsync(1);
        await queue.OfferAsync(2);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.Enqueued);
        queue.Complete();

        (await probe.ToStrictAsync()).Should().Equal(3);
    }

    [Fact]
    public async Task OfferAsync_FailWhenFull_FailsTheStreamAndReportsFailure()
    {
        var (queue, probe) = Run(1, OverflowStrategy.Fail);

        await queue.OfferAsync(1);
        var result = await queue.OfferAsync(2);

        result.Should().BeOfType<QueueOfferResult.Failure>().Which.Cause.Should().BeOfType<BufferOverflowException>();
        (await probe.ExpectErrorAsync()).Should().BeOfType<BufferOverflowException>();
        (await queue.OfferAsync(3)).Should().BeOfType<QueueOfferResult.Failure>();
        await queue.Invoking(q => q.WatchCompletionAsync()).Should().ThrowAsync<BufferOverflowException>();
    }

    [Fact]
    public async Task Complete_WithWaitingOffer_AnswersItQueueClosedAndDrainsTheBuffer()
    {
        var (queue, probe) = Run(1, OverflowStrategy.Backpressure);

        await queue.OfferAsync(1);
        var waiting = queue.OfferAsync(2).AsTask();
        queue.Complete();

        (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(QueueOfferResult.QueueClosed);
        (await queue.OfferAsync(3)).Should().Be(QueueOfferResult.QueueClosed);
        (await probe.ToStrictAsync()).Should().Equal(1);
    }

    [Fact]
    public async Task Fail_FailsTheStreamAndLaterOffers()
    {
        var (queue, probe) = Run(4, OverflowStrategy.Backpressure);
        var boom = new InvalidOperationException("boom");

        queue.Fail(boom);

        (await probe.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await queue.OfferAsync(1)).Should().BeOfType<QueueOfferResult.Failure>().Which.Cause.Should().BeSameAs(boom);
        await queue.Invoking(q => q.WatchCompletionAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task OfferAsync_AfterDownstreamCancelled_ReturnsQueueClosed()
    {
        var (queue, probe) = Run(4, OverflowStrategy.Backpressure);

        probe.Cancel();
        await queue.WatchCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        (await queue.OfferAsync(1)).Should().Be(QueueOfferResult.QueueClosed);
    }

    [Fact]
    public async Task OfferAsync_WaitingOfferCancelled_IsCancelledAndNotEmitted()
    {
        var (queue, probe) = Run(1, OverflowStrategy.Backpressure);
        using var cancel = new CancellationTokenSource();

        await queue.OfferAsync(1);
        var waiting = queue.OfferAsync(2, cancel.Token).AsTask();
        cancel.Cancel();

        await waiting.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        queue.Complete();
        (await probe.ToStrictAsync()).Should().Equal(1);
    }

    [Fact]
    public async Task OfferAsync_ManyConcurrentProducers_EveryAcceptedElementIsEmittedOnce()
    {
        var (queue, result) = Source.Queue<int>(8).ToMaterialized(Sink.Seq<int>(), Keep.Both).Run(Materializer);

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                (await queue.OfferAsync((p * 1000) + i)).Should().Be(QueueOfferResult.Enqueued);
            }
        }));
        await Task.WhenAll(producers);
        queue.Complete();

        var elements = await result;
        elements.Should().HaveCount(2000).And.OnlyHaveUniqueItems();
        foreach (var producer in elements.GroupBy(e => e / 1000))
        {
            producer.Should().BeInAscendingOrder("each producer awaited its offers one after another");
        }
    }

    private (ISourceQueueWithComplete<int> Queue, SinkProbe<int> Probe) Run(int size, OverflowStrategy strategy) =>
        Source.Queue<int>(size, strategy).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
}
