using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.Streams.TestKit;
using Pipelines.Streams.Tests.Support;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>SelectAsyncPartitioned: per-key order, the bounds, supervision, completion and failure.</summary>
public sealed class SelectAsyncPartitionedTests(ITestOutputHelper output) : StageSpec(output)
{
    [Fact]
    public async Task SelectAsyncPartitioned_KeyBusy_ElementWaitsWhileOtherKeysProceed()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(4, e => e.Key, calls.Call));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await upstream.SendNextAsync(new("a", 2));
        await upstream.SendNextAsync(new("b", 3));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("a", 1));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("b", 3), "b is not held back by a's waiting element");
        await calls.Started.ExpectNoMsgAsync(Quiet);

        calls.Complete(new("b", 3));
        await downstream.ExpectNoMsgAsync(Quiet);
        calls.Complete(new("a", 1));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("a", 2), "a's second element starts once its first finished");
        calls.Complete(new("a", 2));

        await downstream.ExpectNextNAsync([new("a", 1), new("a", 2), new("b", 3)], Patience);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
        calls.Violations.Should().BeEmpty();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_MoreKeysThanParallelism_RunsParallelismCallsAtOnce()
    {
        const int Parallelism = 3;
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(Parallelism, e => e.Key, calls.Call));

        downstream.Request(10);
        for (var i = 0; i < 6; i++)
        {
            await upstream.SendNextAsync(new($"k{i}", i));
        }

        for (var i = 0; i < Parallelism; i++)
        {
            (await calls.NextStartedAsync(Patience)).Value.Should().Be(i, "ready elements start earliest first");
        }

        await calls.Started.ExpectNoMsgAsync(Quiet);
        calls.Running.Should().HaveCount(Parallelism);

        // A call that finishes out of order frees its place: the next element starts, the result waits for the head.
        calls.Complete(new("k1", 1));
        (await calls.NextStartedAsync(Patience)).Value.Should().Be(3);
        await calls.Started.ExpectNoMsgAsync(Quiet);
        await downstream.ExpectNoMsgAsync(Quiet);

        foreach (var item in new Item[] { new("k0", 0), new("k2", 2), new("k3", 3) })
        {
            calls.Complete(item);
        }

        for (var i = 4; i < 6; i++)
        {
            calls.Complete(await calls.NextStartedAsync(Patience));
        }

        await downstream.ExpectNextNAsync(Enumerable.Range(0, 6).Select(i => new Item($"k{i}", i)), Patience);
        calls.MaxRunning.Should().Be(Parallelism);
        calls.Violations.Should().BeEmpty();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_OneKeyStuck_HoldsAtMostTwiceParallelismElements()
    {
        // The first call never finishes: its key's later elements wait in the window, and the window stops pulling at
        // 2 × parallelism elements, whatever their keys.
        const int Parallelism = 3;
        var taken = 0;
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>()
            .Select(e =>
            {
                Interlocked.Increment(ref taken);
                return e;
            })
            .SelectAsyncPartitioned(Parallelism, e => e.Key, calls.Call));

        downstream.Request(100);
        await upstream.SendNextAsync(new("hot", 0));
        (await calls.NextStartedAsync(Patience)).Value.Should().Be(0);
        for (var i = 1; i <= 11; i++)
        {
            await upstream.SendNextAsync(new(i % 2 == 0 ? "hot" : $"cold{i}", i));
        }

        await AwaitConditionAsync(() => Volatile.Read(ref taken) == 2 * Parallelism, Patience, "the window fills up");

        // Cold elements 1, 3 and 5 run (parallelism 3 counts the stuck call); the hot ones wait behind element 0.
        (await calls.NextStartedAsync(Patience)).Value.Should().Be(1);
        (await calls.NextStartedAsync(Patience)).Value.Should().Be(3);
        calls.Complete(new("cold1", 1));
        calls.Complete(new("cold3", 3));
        (await calls.NextStartedAsync(Patience)).Value.Should().Be(5);
        calls.Complete(new("cold5", 5));
        await calls.Started.ExpectNoMsgAsync(Quiet);
        await downstream.ExpectNoMsgAsync(Quiet);
        Volatile.Read(ref taken).Should().Be(2 * Parallelism, "finished results behind the stuck head still take their place");

        calls.Complete(new("hot", 0));
        (await downstream.ExpectNextAsync(Patience)).Value.Should().Be(0);
        (await downstream.ExpectNextAsync(Patience)).Value.Should().Be(1);
        calls.Violations.Should().BeEmpty();
        calls.MaxRunning.Should().BeLessThanOrEqualTo(Parallelism);
    }

    [Fact]
    public async Task SelectAsyncPartitioned_CallsCompleteSynchronously_EmitsEveryResultInOrder()
    {
        // A call that finishes at once frees its key in the same dispatch, so the key's next element starts there too.
        var started = new List<int>();
        var result = await this.AssertAllStagesStoppedAsync(
            () => Source.From(Enumerable.Range(0, 500))
                .SelectAsyncPartitioned(2, x => x % 3, x =>
                {
                    started.Add(x);
                    return Task.FromResult(x * 10);
                })
                .RunWith(Sink.Seq<int>(), Materializer),
            Materializer);

        result.Should().Equal(Enumerable.Range(0, 500).Select(x => x * 10));
        started.Should().Equal(Enumerable.Range(0, 500), "nothing ever waits, so calls start in input order");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_KeysLeaveAndReturn_StayOneAtATimeAndInOrder()
    {
        // A few hot keys queue up in the window and far more cold keys than fit in it leave and come back: the per-key
        // chains must not mix when keys leave the stage and slots are reused.
        const int Count = 3_000;
        const int KeyCount = 203;
        var random = new Random(4242);
        var keys = Enumerable.Range(0, Count).Select(_ => random.Next(4) == 0 ? random.Next(3) : 3 + random.Next(KeyCount - 3)).ToArray();
        var runningPerKey = new int[KeyCount];
        var lastStartedPerKey = Enumerable.Repeat(-1, KeyCount).ToArray();
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();

        async Task<int> CallAsync(int index)
        {
            var key = keys[index];
            if (Interlocked.Increment(ref runningPerKey[key]) > 1)
            {
                violations.Enqueue($"key {key} had two calls running (element {index})");
            }

            if (Interlocked.Exchange(ref lastStartedPerKey[key], index) > index)
            {
                violations.Enqueue($"key {key} started element {index} after a later one");
            }

            await Task.Yield();
            Interlocked.Decrement(ref runningPerKey[key]);
            return index;
        }

        var result = await this.AssertAllStagesStoppedAsync(
            () => Source.From(Enumerable.Range(0, Count))
                .SelectAsyncPartitioned(8, i => keys[i], CallAsync)
                .RunWith(Sink.Seq<int>(), Materializer),
            Materializer);

        result.Should().Equal(Enumerable.Range(0, Count));
        violations.Should().BeEmpty();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_FunctionThrowsWithResume_DropsTheElementAndItsKeyGoesOn()
    {
        var result = await Source.From<Item>([new("a", 1), new("a", 2), new("a", 3), new("b", 4)])
            .SelectAsyncPartitioned(2, e => e.Key, e => e.Value == 2 ? throw new InvalidOperationException("boom") : Task.FromResult(e.Value))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3, 4);
    }

    [Fact]
    public async Task SelectAsyncPartitioned_TaskFaultsWithResume_DropsTheElementAndItsKeyGoesOn()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>()
            .SelectAsyncPartitioned(2, e => e.Key, calls.Call)
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await upstream.SendNextAsync(new("a", 2));
        await upstream.SendNextAsync(new("b", 3));
        await calls.NextStartedAsync(Patience);
        await calls.NextStartedAsync(Patience);
        calls.Fail(new("a", 1), new InvalidOperationException("a1 failed"));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("a", 2), "the key is free again once its failed call is dropped");
        calls.Complete(new("a", 2));
        calls.Complete(new("b", 3));

        await downstream.ExpectNextNAsync([new("a", 2), new("b", 3)], Patience);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_TaskFaultsWithDefaultSupervision_FailsTheStream()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(2, e => e.Key, calls.Call));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await upstream.SendNextAsync(new("b", 2));
        await calls.NextStartedAsync(Patience);
        await calls.NextStartedAsync(Patience);
        calls.Complete(new("a", 1));
        await downstream.ExpectNextAsync(new Item("a", 1), Patience);
        calls.Fail(new("b", 2), new InvalidOperationException("b2 failed"));

        (await downstream.ExpectErrorAsync()).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("b2 failed");
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_FunctionThrowsWithStop_FailsTheStream()
    {
        var task = Source.From([1, 2, 3])
            .SelectAsyncPartitioned(2, x => x % 2, x => x == 2 ? throw new ArgumentException("two is bad") : Task.FromResult(x))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.StoppingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<ArgumentException>().WithMessage("two is bad");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_KeySelectorThrowsWithResume_DropsTheElement()
    {
        var result = await Source.From([1, 2, 3, 4])
            .SelectAsyncPartitioned(2, x => x == 3 ? throw new InvalidOperationException("no key") : x % 2, x => Task.FromResult(x))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 4);
    }

    [Fact]
    public async Task SelectAsyncPartitioned_TaskFaultsWithRestart_DropsWhatItHeldAndKeepsBothBounds()
    {
        const int Parallelism = 3;
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>()
            .SelectAsyncPartitioned(Parallelism, e => e.Key, calls.Call)
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.RestartingDecider)));

        downstream.Request(20);
        await upstream.SendNextAsync(new("A", 0)); // runs; still running at the restart
        await upstream.SendNextAsync(new("B", 1)); // fails: the restart
        await upstream.SendNextAsync(new("C", 2)); // finished at the restart, waiting behind element 0
        await upstream.SendNextAsync(new("A", 3)); // waiting for its key at the restart
        for (var i = 0; i < 3; i++)
        {
            await calls.NextStartedAsync(Patience);
        }

        calls.Complete(new("C", 2));
        await calls.Started.ExpectNoMsgAsync(Quiet);

        // The stage logs the restart while handling the failure, so what is sent after the log line arrives after it.
        await EventFilter.Error(contains: "Supervision: Restart").ExpectOneAsync(
            Patience,
            () =>
            {
                calls.Fail(new("B", 1), new InvalidOperationException("B1 failed"));
                return Task.CompletedTask;
            });

        // After the restart, element 0's call still runs: key A stays busy and the call keeps its place.
        await upstream.SendNextAsync(new("A", 4));
        await upstream.SendNextAsync(new("D", 5));
        await upstream.SendNextAsync(new("E", 6));
        await upstream.SendNextAsync(new("F", 7));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("D", 5));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("E", 6));
        await calls.Started.ExpectNoMsgAsync(Quiet);
        calls.MaxRunning.Should().BeLessThanOrEqualTo(Parallelism);

        calls.Complete(new("A", 0));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("A", 4), "the abandoned call freed key A and its place");
        await calls.Started.ExpectNoMsgAsync(Quiet);
        calls.Complete(new("D", 5));
        (await calls.NextStartedAsync(Patience)).Should().Be(new Item("F", 7));
        foreach (var item in new Item[] { new("A", 4), new("E", 6), new("F", 7) })
        {
            calls.Complete(item);
        }

        await downstream.ExpectNextNAsync([new("A", 4), new("D", 5), new("E", 6), new("F", 7)], Patience);
        await upstream.SendCompleteAsync();
        await downstream.ExpectCompleteAsync();
        calls.StartOrder.Should().NotContain(new Item("A", 3), "the restart dropped the waiting element before it started");
        calls.MaxRunning.Should().BeLessThanOrEqualTo(Parallelism);
        calls.Violations.Should().BeEmpty();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_UpstreamCompletesWithCallsRunning_CompletesAfterTheLastResult()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(4, e => e.Key, calls.Call));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await upstream.SendNextAsync(new("a", 2));
        await upstream.SendNextAsync(new("b", 3));
        await upstream.SendCompleteAsync();
        await calls.NextStartedAsync(Patience);
        await calls.NextStartedAsync(Patience);
        await downstream.ExpectNoMsgAsync(Quiet);

        calls.Complete(new("a", 1));
        calls.Complete(new("b", 3));
        await downstream.ExpectNextAsync(new Item("a", 1), Patience);
        await downstream.ExpectNoMsgAsync(Quiet);
        calls.Complete(await calls.NextStartedAsync(Patience));

        await downstream.ExpectNextNAsync([new("a", 2), new("b", 3)], Patience);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_UpstreamFails_FailsTheStream()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(4, e => e.Key, calls.Call));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await calls.NextStartedAsync(Patience);
        await upstream.SendErrorAsync(new InvalidOperationException("upstream broke"));

        (await downstream.ExpectErrorAsync()).Message.Should().Be("upstream broke");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_DownstreamCancels_CancelsUpstream()
    {
        var calls = Calls();
        var (upstream, downstream) = Probe(Flow.Create<Item>().SelectAsyncPartitioned(4, e => e.Key, calls.Call));

        downstream.Request(10);
        await upstream.SendNextAsync(new("a", 1));
        await calls.NextStartedAsync(Patience);
        await downstream.CancelAsync();

        await upstream.ExpectCancellationAsync();
        calls.Complete(new("a", 1)); // a result after the cancellation goes nowhere
    }

    [Fact]
    public async Task SelectAsyncPartitioned_FunctionReturnsNullTask_FailsTheStreamSayingSo()
    {
        var task = Source.From([1])
            .SelectAsyncPartitioned(1, x => x, _ => (Task<int>)null!)
            .RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("*returned a null task*");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_CallCompletesWithNull_FailsTheStreamSayingSo()
    {
        var task = Source.From([1])
            .SelectAsyncPartitioned(1, x => x, _ => Task.FromResult<string>(null!))
            .RunWith(Sink.Seq<string>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("*completed with null*");
    }

    [Fact]
    public void SelectAsyncPartitioned_ParallelismBelowOne_ThrowsSayingWhy()
    {
        var act = () => Flow.Create<int>().SelectAsyncPartitioned(0, x => x, x => Task.FromResult(x));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("parallelism").WithMessage("*at least 1*");
    }

    [Fact]
    public async Task SelectAsyncPartitioned_OnSourceWithContext_CarriesEachContextWithItsResult()
    {
        var calls = Calls();
        var records = new[] { (new Item("a", 1), 100L), (new Item("a", 2), 101L), (new Item("b", 3), 102L) };
        var downstream = SourceWithContext.FromTuples(Source.From(records))
            .SelectAsyncPartitioned(2, e => e.Key, calls.Call)
            .Select(e => e.Value * 10)
            .AsSource()
            .RunWith(this.SinkProbe<(int, long)>(), Materializer);

        downstream.Request(10);
        await calls.NextStartedAsync(Patience);
        await calls.NextStartedAsync(Patience);
        calls.Complete(new("b", 3));
        calls.Complete(new("a", 1));
        calls.Complete(await calls.NextStartedAsync(Patience));

        await downstream.ExpectNextNAsync([(10, 100L), (20, 101L), (30, 102L)], Patience);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task SelectAsyncPartitioned_OnFlowWithContext_CarriesEachContextWithItsResult()
    {
        var flow = FlowWithContext.Create<int, long>()
            .SelectAsyncPartitioned(3, x => x % 2, async x =>
            {
                await Task.Yield();
                return $"v{x}";
            });

        var result = await Source.From(Enumerable.Range(0, 50).Select(i => (i, 1_000L + i)))
            .Via(flow)
            .RunWith(Sink.Seq<(string, long)>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 50).Select(i => ($"v{i}", 1_000L + i)));
    }

    [Fact]
    public async Task SelectAsyncPartitioned_OnSubFlow_KeepsKeyOrderInEverySubstream()
    {
        var merged = (Source<int, NotUsed>)Source.From(Enumerable.Range(0, 200))
            .GroupBy(4, x => x % 4)
            .SelectAsyncPartitioned(3, x => x % 7, async x =>
            {
                await Task.Yield();
                return x;
            })
            .MergeSubstreams();
        var result = await merged.RunWith(Sink.Seq<int>(), Materializer);

        result.Should().BeEquivalentTo(Enumerable.Range(0, 200));
        foreach (var substream in result.GroupBy(x => x % 4))
        {
            substream.Should().BeInAscendingOrder("each substream emits in its input order");
        }
    }

    [Fact]
    public async Task SelectAsyncPartitioned_OnSource_EmitsInInputOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 100))
            .SelectAsyncPartitioned(4, x => x % 5, async x =>
            {
                await Task.Yield();
                return x + 1;
            })
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 100));
    }

    private ControlledCalls<Item, string> Calls() => new(CreateTestProbe(), e => e.Key);

    /// <summary>An element with its key.</summary>
    internal readonly record struct Item(string Key, int Value);
}
