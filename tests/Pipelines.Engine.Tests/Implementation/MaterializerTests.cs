using Pipelines.Engine.Dsl;
using Pipelines.TestKit;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Implementation;

public sealed class MaterializerTests
{
    [Fact]
    public async Task Dispose_WhileStreamsRun_FaultsTheirSinksWithAbruptTermination()
    {
        var materializer = new Materializer();
        var endless = Source.Repeat(1).RunWith(Sink.Ignore<int>(), materializer);
        var waiting = Source.Queue<int>(4).ToMaterialized(Sink.Seq<int>(), Keep.Right).Run(materializer);
        var split = Source.Repeat(1).Async().Select(x => x + 1).RunWith(Sink.Ignore<int>(), materializer);

        await materializer.DisposeAsync();

        await endless.Invoking(t => t).Should().ThrowAsync<AbruptStageTerminationException>();
        await waiting.Invoking(t => t).Should().ThrowAsync<AbruptStageTerminationException>();
        await split.Invoking(t => t).Should().ThrowAsync<AbruptStageTerminationException>();
        await materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task AsyncCallback_InvokedWhileMaterializing_IsDeliveredOnceTheStageStarted()
    {
        await using var materializer = new Materializer();

        // The materialized value exists before its stage joins its island; a callback invoked then waits for the stage.
        var run = TestSource.Probe<int>()
            .MapMaterializedValue(probe =>
            {
                probe.SendError(new InvalidOperationException("failed while materializing"));
                return probe;
            })
            .RunWith(Sink.Seq<int>(), materializer);

        (await run.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("failed while materializing");
        await materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public void Materialize_AfterDispose_Throws()
    {
        var materializer = new Materializer();
        materializer.Dispose();

        Action act = () => _ = Source.Single(1).RunWith(Sink.Ignore<int>(), materializer);

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Constructor_InvalidSettings_ReportsEveryProblemAtOnce()
    {
        var settings = new MaterializerSettings { DefaultBufferSize = 0, SyncProcessingLimit = -1 };

        var act = () => new Materializer(settings);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("DefaultBufferSize").And.Contain("SyncProcessingLimit");
    }

    [Fact]
    public async Task AssertAllStagesStopped_StreamStillRunning_FailsNamingTheStages()
    {
        await using var materializer = new Materializer();
        var probe = Source.Repeat(1).RunWith(TestSink.Probe<int>(), materializer);

        var act = () => materializer.AssertAllStagesStoppedAsync(TimeSpan.FromMilliseconds(200));

        (await act.Should().ThrowAsync<ExpectationFailedException>()).Which.Message.Should().Contain("RepeatSource").And.Contain("ProbeSink");
        probe.Cancel();
        await materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Materialize_WithCustomScheduler_RunsIslandsOnIt()
    {
        var scheduler = new CountingScheduler();
        await using var materializer = new Materializer(new MaterializerSettings { Scheduler = scheduler });

        var result = await Source.From([1, 2, 3]).Async().Select(x => x * 2).RunWith(Sink.Seq<int>(), materializer);

        result.Should().Equal(2, 4, 6);
        scheduler.Scheduled.Should().BePositive();
    }

    private sealed class CountingScheduler : TaskScheduler
    {
        private int _scheduled;

        public int Scheduled => Volatile.Read(ref _scheduled);

        protected override IEnumerable<Task> GetScheduledTasks() => [];

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _scheduled);
            ThreadPool.UnsafeQueueUserWorkItem(t => TryExecuteTask(t), task, preferLocal: false);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;
    }
}
