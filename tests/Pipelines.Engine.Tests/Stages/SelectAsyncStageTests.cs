using System.Collections.Concurrent;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Tests.Stages;

/// <summary>SelectAsync, SelectAsyncUnordered, SelectAsyncPartitioned.</summary>
public sealed class SelectAsyncStageTests : StreamTestBase
{
    private static readonly Attributes Resuming = Attributes.Supervision(Deciders.ResumingDecider);

    [Fact]
    public async Task SelectAsync_CompletionsOutOfOrder_EmitsInInputOrder()
    {
        var calls = new Calls<int, int>();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsync(3, calls.Start));

        downstream.Request(3);
        await upstream.SendNextAsync(1, 2, 3);
        await calls.WaitForAsync(3);
        calls.Complete(3, 30);
        calls.Complete(2, 20);
        await downstream.ExpectNoMessageAsync(NoMessage);
        calls.Complete(1, 10);

        await downstream.ExpectNextAsync(10, 20, 30);
        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsync_ParallelismReached_BackPressuresUpstream()
    {
        var calls = new Calls<int, int>();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsync(2, calls.Start));

        downstream.Request(10);
        await upstream.SendNextAsync(1, 2);
        await calls.WaitForAsync(2);
        await upstream.ExpectNoMessageAsync(NoMessage);

        calls.Complete(1, 1);
        await downstream.ExpectNextAsync(1);
        (await upstream.ExpectRequestAsync()).Should().Be(1);

        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
        calls.Complete(2, 2);
    }

    [Fact]
    public async Task SelectAsync_UpstreamCompletes_WaitsForCallsInFlight()
    {
        var calls = new Calls<int, int>();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsync(4, calls.Start));

        downstream.Request(4);
        await upstream.SendNextAsync(1, 2);
        upstream.SendComplete();
        await calls.WaitForAsync(2);
        await downstream.ExpectNoMessageAsync(NoMessage);

        calls.Complete(2, 2);
        calls.Complete(1, 1);
        await downstream.ExpectNextAsync(1, 2);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsync_TaskFailsWithDefaultSupervision_FailsTheStream()
    {
        var task = Source.From([1, 2, 3]).SelectAsync(2, async x =>
            {
                await Task.Yield();
                return x == 2 ? throw new InvalidOperationException("call failed") : x;
            })
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("call failed");
    }

    [Fact]
    public async Task SelectAsync_ResumingDecider_DropsFailedCallsSyncAndAsync()
    {
        var result = await Source.From(Enumerable.Range(1, 6)).SelectAsync(2, async x =>
            {
                if (x == 2)
                {
                    throw new InvalidOperationException("synchronous failure");
                }

                await Task.Yield();
                return x == 4 ? throw new InvalidOperationException("asynchronous failure") : x;
            })
            .WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3, 5, 6);
    }

    [Fact]
    public async Task SelectAsync_SelectorThrowsSynchronously_IsSupervised()
    {
        var result = await Source.From([1, 2, 3]).SelectAsync(2, x => x == 2 ? throw new InvalidOperationException() : Task.FromResult(x))
            .WithAttributes(Attributes.Supervision(Deciders.RestartingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3);
    }

    [Fact]
    public async Task SelectAsyncUnordered_EmitsInCompletionOrder()
    {
        var calls = new Calls<int, int>();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsyncUnordered(3, calls.Start));

        downstream.Request(3);
        await upstream.SendNextAsync(1, 2, 3);
        await calls.WaitForAsync(3);
        calls.Complete(3, 30);
        await downstream.ExpectNextAsync(30);
        calls.Complete(1, 10);
        await downstream.ExpectNextAsync(10);
        calls.Complete(2, 20);
        await downstream.ExpectNextAsync(20);

        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsyncUnordered_ParallelismReached_BackPressuresUpstream()
    {
        var calls = new Calls<int, int>();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsyncUnordered(2, calls.Start));

        downstream.Request(1);
        await upstream.SendNextAsync(1, 2);
        await calls.WaitForAsync(2);
        await upstream.ExpectNoMessageAsync(NoMessage);

        calls.Complete(2, 20);
        await downstream.ExpectNextAsync(20);
        (await upstream.ExpectRequestAsync()).Should().Be(1);
        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
        calls.Complete(1, 10);
    }

    [Fact]
    public async Task SelectAsyncUnordered_ResumingDecider_DropsFailedCalls()
    {
        var result = await Source.From(Enumerable.Range(1, 5))
            .SelectAsyncUnordered(3, x => x % 2 == 0 ? Task.FromException<int>(new InvalidOperationException()) : Task.FromResult(x))
            .WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().BeEquivalentTo([1, 3, 5]);
    }

    [Fact]
    public async Task SelectAsyncPartitioned_SameKeyRunsOneAtATime_OtherKeysProceed()
    {
        var calls = new Calls<(string Key, int Value), int>();
        var (upstream, downstream) = Probe(Flow.Create<(string Key, int Value)>().SelectAsyncPartitioned(4, e => e.Key, calls.Start));

        downstream.Request(10);
        await upstream.SendNextAsync(("a", 1), ("a", 2), ("b", 3));
        await calls.WaitForAsync(2);
        calls.Started.Should().BeEquivalentTo([("a", 1), ("b", 3)], "a's second element waits for its first; b is not held back");

        calls.Complete(("b", 3), 3);
        await downstream.ExpectNoMessageAsync(NoMessage);
        calls.Complete(("a", 1), 1);
        await calls.WaitForAsync(3);
        calls.Complete(("a", 2), 2);

        await downstream.ExpectNextAsync(1, 2, 3);
        upstream.SendComplete();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_RandomCompletionOrder_KeepsPerKeyOrderInputOrderAndBounds()
    {
        const int Parallelism = 4;
        const int Count = 400;
        var random = new Random(12345);
        var keys = Enumerable.Range(0, Count).Select(_ => random.Next(12)).ToArray();
        var pending = new ConcurrentDictionary<int, TaskCompletionSource<int>>();
        var processedPerKey = new ConcurrentDictionary<int, List<int>>();
        var inFlight = 0;
        var maxInFlight = 0;
        var perKeyInFlight = new ConcurrentDictionary<int, int>();
        var violations = new ConcurrentQueue<string>();
        using var callStarted = new SemaphoreSlim(0);

        Task<int> Call(int index)
        {
            var key = keys[index];
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (perKeyInFlight.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
            {
                violations.Enqueue($"key {key} had two calls in flight (element {index})");
            }

            lock (processedPerKey)
            {
                processedPerKey.GetOrAdd(key, _ => []).Add(index);
            }

            var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            pending[index] = tcs;
            callStarted.Release();
            return tcs.Task;
        }

        var result = Source.From(Enumerable.Range(0, Count))
            .SelectAsyncPartitioned(Parallelism, i => keys[i], Call)
            .RunWith(Sink.Seq<int>(), Materializer);

        // Complete the calls in flight in random order until the stream is done.
        var completed = 0;
        while (completed < Count)
        {
            var snapshot = pending.Keys.ToArray();
            if (snapshot.Length == 0)
            {
                // Nothing in flight yet: wait until the stage starts a call.
                (await callStarted.WaitAsync(Patience)).Should().BeTrue("the stage starts the next call");
                continue;
            }

            var index = snapshot[random.Next(snapshot.Length)];
            if (!pending.TryRemove(index, out var tcs))
            {
                continue;
            }

            perKeyInFlight.AddOrUpdate(keys[index], 0, (_, n) => n - 1);
            Interlocked.Decrement(ref inFlight);
            tcs.SetResult(index);
            completed++;
        }

        (await result.WaitAsync(TimeSpan.FromSeconds(30))).Should().Equal(Enumerable.Range(0, Count), "results are emitted in input order");
        violations.Should().BeEmpty();
        maxInFlight.Should().BeLessThanOrEqualTo(Parallelism).And.BeGreaterThan(1, "different keys run in parallel");
        foreach (var (key, indices) in processedPerKey)
        {
            indices.Should().BeInAscendingOrder($"key {key} is processed strictly in order");
        }
    }

    [Fact]
    public async Task SelectAsyncPartitioned_ResumingDecider_DropsTheFailedElementAndTheKeyContinues()
    {
        var result = await Source.From([("a", 1), ("a", 2), ("a", 3), ("b", 4)])
            .SelectAsyncPartitioned(2, e => e.Item1, e => e.Item2 == 2 ? Task.FromException<int>(new InvalidOperationException()) : Task.FromResult(e.Item2))
            .WithAttributes(Resuming)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3, 4);
    }

    [Fact]
    public async Task SelectAsyncPartitioned_TaskFailsWithDefaultSupervision_FailsTheStream()
    {
        var task = Source.From([1, 2, 3])
            .SelectAsyncPartitioned(2, x => x % 2, x => x == 3 ? Task.FromException<int>(new InvalidOperationException("partitioned failed")) : Task.FromResult(x))
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("partitioned failed");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_CallsCompleteSynchronously_EveryKeyContinuesInOrder()
    {
        // A call that completed at once frees its key inside the same dispatch, so the key's next element starts there too.
        var started = new List<(int Key, int Value)>();
        var result = await Source.From(Enumerable.Range(0, 300))
            .SelectAsyncPartitioned(2, x => x % 3, x =>
            {
                started.Add((x % 3, x));
                return Task.FromResult(x * 10);
            })
            .RunWith(Sink.Seq<int>(), Materializer)
            .WaitAsync(TimeSpan.FromSeconds(30));

        result.Should().Equal(Enumerable.Range(0, 300).Select(x => x * 10));
        started.Select(s => s.Value).Should().Equal(Enumerable.Range(0, 300), "nothing ever waits, so calls start in input order");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_KeysLeaveTheWindowAndReturn_StayOneAtATimeAndInOrder()
    {
        // A few hot keys that queue up inside the window, and far more cold keys than fit in it that leave and come back:
        // the per-key state is released when a key leaves the window and reused for other keys, which must not mix up
        // their waiting elements.
        const int Count = 2_000;
        const int KeyCount = 203;
        var random = new Random(4242);
        var keys = Enumerable.Range(0, Count).Select(_ => random.Next(4) == 0 ? random.Next(3) : 3 + random.Next(KeyCount - 3)).ToArray();
        var perKeyInFlight = new int[KeyCount];
        var lastStartedPerKey = Enumerable.Repeat(-1, KeyCount).ToArray();
        var violations = new ConcurrentQueue<string>();

        async Task<int> CallAsync(int index)
        {
            var key = keys[index];
            if (Interlocked.Increment(ref perKeyInFlight[key]) > 1)
            {
                violations.Enqueue($"key {key} had two calls in flight (element {index})");
            }

            if (Interlocked.Exchange(ref lastStartedPerKey[key], index) > index)
            {
                violations.Enqueue($"key {key} started element {index} after a later one");
            }

            await Task.Yield();
            Interlocked.Decrement(ref perKeyInFlight[key]);
            return index;
        }

        var result = await Source.From(Enumerable.Range(0, Count))
            .SelectAsyncPartitioned(8, i => keys[i], CallAsync)
            .RunWith(Sink.Seq<int>(), Materializer)
            .WaitAsync(TimeSpan.FromSeconds(30));

        result.Should().Equal(Enumerable.Range(0, Count));
        violations.Should().BeEmpty();
    }

    [Fact]
    public async Task SelectAsyncUnordered_CallsCompleteSynchronously_EmitsEveryResult()
    {
        var result = await Source.From(Enumerable.Range(1, 100))
            .SelectAsyncUnordered(4, x => Task.FromResult(x * 2))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().BeEquivalentTo(Enumerable.Range(1, 100).Select(x => x * 2));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Records calls and lets the test complete each one by its input.</summary>
    private sealed class Calls<TIn, TOut>
        where TIn : notnull
    {
        private readonly ConcurrentDictionary<TIn, TaskCompletionSource<TOut>> _pending = new();
        private readonly ConcurrentQueue<TIn> _started = new();
        private readonly SemaphoreSlim _startedSignal = new(0);
        private int _waited;

        public IReadOnlyCollection<TIn> Started => _started.ToArray();

        public Task<TOut> Start(TIn input)
        {
            var tcs = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[input] = tcs;
            _started.Enqueue(input);
            _startedSignal.Release();
            return tcs.Task;
        }

        public async Task WaitForAsync(int totalStarted)
        {
            while (_waited < totalStarted)
            {
                (await _startedSignal.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue($"{totalStarted} calls should have started");
                _waited++;
            }

            await Task.Yield();
        }

        public void Complete(TIn input, TOut output) => _pending[input].SetResult(output);
    }
}
