using System.Runtime.CompilerServices;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class SourceTests : StreamTestBase
{
    [Fact]
    public async Task RunWith_FromSelectSeq_EmitsMappedElementsInOrder()
    {
        var result = await Source.From(Enumerable.Range(1, 5)).Select(x => x * 10).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(10, 20, 30, 40, 50);
    }

    [Fact]
    public async Task Run_SameBlueprintTwice_GivesIndependentStreams()
    {
        var graph = Source.From(Enumerable.Range(1, 1000)).Select(x => x + 1).ToMaterialized(Sink.Aggregate<int, long>(0, (a, x) => a + x), Keep.Right);

        var first = graph.Run(Materializer);
        var second = graph.Run(Materializer);

        (await first).Should().Be(Enumerable.Range(2, 1000).Sum());
        (await second).Should().Be(Enumerable.Range(2, 1000).Sum());
    }

    [Fact]
    public async Task From_Enumerable_EmitsOnDemandOnlyAndCompletes()
    {
        var pulled = 0;
        var probe = Source.From(Counting(3, () => pulled++)).RunWith(TestSink.Probe<int>(), Materializer);

        await probe.ExpectNoMessageAsync(NoMessage);
        pulled.Should().Be(0);
        await probe.RequestNextAsync(0);
        await probe.RequestNextAsync(1);
        await probe.RequestNextAsync(2);
        probe.Request(1);
        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task From_EnumerationThrows_FailsTheStream()
    {
        var probe = Source.From(Throwing()).RunWith(TestSink.Probe<int>(), Materializer);

        await probe.RequestNextAsync(1);
        probe.Request(1);
        (await probe.ExpectErrorAsync()).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("enumeration failed");
    }

    [Fact]
    public async Task From_DownstreamCancels_DisposesTheEnumerator()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Source.From(Disposing(disposed)).RunWith(TestSink.Probe<int>(), Materializer);

        await probe.RequestNextAsync(1);
        probe.Cancel();

        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task From_AsyncEnumerable_EmitsAllElementsAndCompletes()
    {
        var result = await Source.From(AsyncRange(5)).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task From_AsyncEnumerableThrows_FailsTheStream()
    {
        var task = Source.From(AsyncThrowing()).RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("async enumeration failed");
    }

    [Fact]
    public async Task From_AsyncEnumerableCancelledByDownstream_CancelsAndDisposesTheEnumeration()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Source.From(AsyncEndless(disposed)).RunWith(TestSink.Probe<int>(), Materializer);

        await probe.RequestNextAsync(0);
        probe.Cancel();

        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Single_EmitsOneElementThenCompletes()
    {
        var probe = Source.Single("x").RunWith(TestSink.Probe<string>(), Materializer);

        await probe.RequestNextAsync("x");
        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Empty_CompletesWithoutDemand()
    {
        var probe = Source.Empty<int>().RunWith(TestSink.Probe<int>(), Materializer);

        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Failed_FailsWithoutDemand()
    {
        var boom = new InvalidOperationException("boom");
        var probe = Source.Failed<int>(boom).RunWith(TestSink.Probe<int>(), Materializer);

        (await probe.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Repeat_EmitsTheElementAsOftenAsRequested()
    {
        var result = await Source.Repeat(7).Take(5).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(7, 7, 7, 7, 7);
    }

    [Fact]
    public async Task Tick_EmitsOnTheManualClockAndSkipsTicksWithoutDemand()
    {
        var (cancelable, probe) = Source.Tick(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), "tick")
            .ToMaterialized(TestSink.Probe<string>(), Keep.Both)
            .Run(Materializer);
        await Clock.WaitForTimersAsync();

        probe.Request(1);
        await probe.ExpectNoMessageAsync(NoMessage);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await probe.ExpectNextAsync("tick");

        // No demand: the tick at 3 s is skipped, not buffered.
        Clock.Advance(TimeSpan.FromSeconds(2));
        probe.Request(1);
        await probe.ExpectNoMessageAsync(NoMessage);
        Clock.Advance(TimeSpan.FromSeconds(2));
        await probe.ExpectNextAsync("tick");

        cancelable.Cancel();
        await probe.ExpectCompleteAsync();
        cancelable.IsCancelled.Should().BeTrue();
    }

    [Fact]
    public async Task UnfoldAsync_EmitsUntilTheFunctionReturnsNull()
    {
        var result = await Source.UnfoldAsync(0, async s =>
            {
                await Task.Yield();
                return s < 4 ? (s + 1, s * s) : ((int, int)?)null;
            })
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(0, 1, 4, 9);
    }

    [Fact]
    public async Task UnfoldAsync_CallsOnlyOnDemand()
    {
        var calls = 0;
        var probe = Source.UnfoldAsync(0, s =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult<(int, int)?>((s + 1, s));
            })
            .RunWith(TestSink.Probe<int>(), Materializer);

        await probe.RequestNextAsync(0);
        await probe.RequestNextAsync(1);
        await probe.ExpectNoMessageAsync(NoMessage);

        Volatile.Read(ref calls).Should().Be(2);
        probe.Cancel();
    }

    [Fact]
    public async Task UnfoldAsync_TaskFails_FailsTheStream()
    {
        var task = Source.UnfoldAsync<int, int>(0, _ => Task.FromException<(int, int)?>(new InvalidOperationException("unfold failed")))
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("unfold failed");
    }

    [Fact]
    public async Task FromTask_EmitsTheResultOnceTheTaskCompletes()
    {
        var source = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Source.FromTask(source.Task).RunWith(TestSink.Probe<string>(), Materializer);

        probe.Request(1);
        await probe.ExpectNoMessageAsync(NoMessage);
        source.SetResult("done");

        await probe.ExpectNextAsync("done");
        await probe.ExpectCompleteAsync();
    }

    [Fact]
    public async Task FromTask_TaskFails_FailsTheStream()
    {
        var source = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Source.FromTask(source.Task).RunWith(TestSink.Probe<string>(), Materializer);

        source.SetException(new InvalidOperationException("task failed"));

        (await probe.ExpectErrorAsync()).Message.Should().Be("task failed");
    }

    private static IEnumerable<int> Counting(int count, Action onNext)
    {
        for (var i = 0; i < count; i++)
        {
            onNext();
            yield return i;
        }
    }

    private static IEnumerable<int> Throwing()
    {
        yield return 1;
        throw new InvalidOperationException("enumeration failed");
    }

    private static IEnumerable<int> Disposing(TaskCompletionSource disposed)
    {
        try
        {
            for (var i = 1; ; i++)
            {
                yield return i;
            }
        }
        finally
        {
            disposed.TrySetResult();
        }
    }

    private static async IAsyncEnumerable<int> AsyncRange(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> AsyncThrowing()
    {
        await Task.Yield();
        yield return 1;
        throw new InvalidOperationException("async enumeration failed");
    }

    private static async IAsyncEnumerable<int> AsyncEndless(TaskCompletionSource disposed, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                yield return i;
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        finally
        {
            disposed.TrySetResult();
        }
    }
}
