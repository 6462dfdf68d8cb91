using Pipelines.TestKit;
using System.Collections.Concurrent;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Implementation;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UnobservedExceptionsCollection
{
    /// <summary>
    /// The unobserved-exception event is process-wide: these tests run alone, after every parallel test, and flush the
    /// garbage of earlier tests first, so only their own streams count.
    /// </summary>
    public const string Name = "Unobserved task exceptions";
}

[Collection(UnobservedExceptionsCollection.Name)]
public sealed class UnobservedExceptionTests : StreamTestBase
{
    [Fact]
    public async Task Streams_TasksFailAfterTheStageStopped_NoUnobservedTaskException()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await RunStreamsThatLeaveFailingTasksBehindAsync();
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().BeEmpty();
    }

    private async Task RunStreamsThatLeaveFailingTasksBehindAsync()
    {
        // In-flight calls that fail after downstream cancelled.
        var gates = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var (upstream, downstream) = Probe(Flow.Create<int>().SelectAsync(3, i => gates[i].Task));
        downstream.Request(1);
        await upstream.SendNextAsync(0, 1, 2);
        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
        foreach (var gate in gates)
        {
            gate.SetException(new InvalidOperationException("late failure"));
        }

        // Several calls failing while the stream fails on the first one.
        var started = 0;
        var finished = 0;
        var failing = Source.From(Enumerable.Range(0, 20))
            .SelectAsyncUnordered(8, async i =>
            {
                Interlocked.Increment(ref started);
                try
                {
                    await Task.Yield();
                    return i >= 0 ? throw new InvalidOperationException($"call {i} failed") : i;
                }
                finally
                {
                    Interlocked.Increment(ref finished);
                }
            })
            .RunWith(Sink.Ignore<int>(), Materializer);
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();

        // Failed calls dropped by Resume.
        await Source.From(Enumerable.Range(0, 20))
            .SelectAsyncPartitioned(4, i => i % 3, i => Task.FromException<int>(new InvalidOperationException()))
            .WithAttributes(Attributes.Supervision(Deciders.ResumingDecider))
            .RunWith(Sink.Ignore<int>(), Materializer);

        // A queue sink whose stream fails: the puller gets the failure, the queue's internal tasks stay quiet.
        var queue = Source.Failed<int>(new InvalidOperationException("queue failure")).RunWith(Sink.Queue<int>(), Materializer);
        await queue.Invoking(q => q.PullAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>();

        // A sink task faulted and never awaited by anyone.
        _ = Source.Failed<int>(new InvalidOperationException("nobody awaits this")).RunWith(TestSink.Probe<int>(), Materializer);
        await Materializer.AssertAllStagesStoppedAsync();

        // The calls still running when the stream failed finish on the pool; their failures must be in before collecting.
        await Eventually.TrueAsync(() => Volatile.Read(ref finished) == Volatile.Read(ref started), what: "every started call to finish");
    }
}
