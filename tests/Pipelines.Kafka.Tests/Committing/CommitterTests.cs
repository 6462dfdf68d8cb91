using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Committing;

/// <summary>The committer stages against a stand-in consumer, on virtual time (Akka.TestKit's TestScheduler).</summary>
public sealed class CommitterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly IMaterializer _materializer;
    private readonly FakeCommitter _committer = new();

    public CommitterTests(ITestOutputHelper output)
        : base(AkkaTestConfig.VirtualTime, nameof(CommitterTests), output)
    {
        _materializer = Sys.Materializer();
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task Sink_MoreThanMaxBatch_CommitsPerFullBatchAndTheRestOnCompletion()
    {
        var offsets = _committer.Offsets(250);

        var done = Source.From(offsets).RunWith(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 100)), _materializer);
        await done.WaitAsync(Patience);

        _committer.Commits.Should().Be(3);
        _committer.Processed.Should().BeEquivalentTo(offsets, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Sink_MaxIntervalElapses_CommitsThePartialBatch()
    {
        var (probe, done) = this.SourceProbe<ICommittableOffset>()
            .ToMaterialized(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 100)), Keep.Both)
            .Run(_materializer);
        await SendAsync(probe, _committer.Offsets(5));
        await Eventually.TrueAsync(() => _committer.Processed.Count == 5, Patience);
        _committer.Commits.Should().Be(0, "the batch is not full and the interval has not passed");

        // The interval timer started with the first offset, which was handled before the fifth.
        Clock.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => _committer.Commits == 1, Patience);
        await probe.SendCompleteAsync();
        await done.WaitAsync(Patience);
        _committer.Commits.Should().Be(1, "nothing was left to commit at completion");
    }

    [Fact]
    public async Task Sink_CommitFailsWithWaitForAck_FailsTheStream()
    {
        _committer.FailWith = new KafkaCommitException("refused", new Error(ErrorCode.GroupAuthorizationFailed), [], null);

        var done = Source.From(_committer.Offsets(3)).RunWith(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 2)), _materializer);

        await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<KafkaCommitException>().WithMessage("refused");
    }

    [Fact]
    public async Task Sink_CommitFailsWithSendAndForget_StreamCompletes()
    {
        _committer.FailWith = new KafkaCommitException("refused", new Error(ErrorCode.GroupAuthorizationFailed), [], null);
        var settings = Settings(maxBatch: 2).WithDelivery(CommitDelivery.SendAndForget);

        await Source.From(_committer.Offsets(5)).RunWith(Committer.Sink<ICommittableOffset>(settings), _materializer).WaitAsync(Patience);

        _committer.Commits.Should().Be(3);
    }

    [Fact]
    public async Task Sink_UpstreamFails_CommitsWhatArrivedThenFailsWithUpstreamsError()
    {
        var (probe, done) = this.SourceProbe<ICommittableOffset>()
            .ToMaterialized(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 100)), Keep.Both)
            .Run(_materializer);
        var offsets = _committer.Offsets(3);
        await SendAsync(probe, offsets);
        await Eventually.TrueAsync(() => _committer.Processed.Count == 3, Patience);

        await probe.SendErrorAsync(new InvalidOperationException("upstream broke"));

        await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>().WithMessage("upstream broke");
        _committer.Commits.Should().Be(1);
        _committer.CommittedProcessedCount.Should().Be(3, "the commit came after all three were marked processed");
    }

    [Fact]
    public async Task Sink_ParallelismReached_StopsPullingUntilACommitFinishes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _committer.Gate = gate.Task;
        // An input buffer of one element: beyond it, the probe sees demand only when the committer pulls.
        var (probe, done) = this.SourceProbe<ICommittableOffset>()
            .ToMaterialized(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 2).WithParallelism(1)), Keep.Both)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(_materializer);

        var offsets = _committer.Offsets(6);
        await SendAsync(probe, offsets.Take(3));
        await Eventually.TrueAsync(() => _committer.Commits == 1, Patience);

        // One commit in flight: the committer holds back, so the third offset waits in the input buffer and nothing more
        // is requested.
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        _committer.Processed.Should().HaveCount(2, "the committer took nothing while its only commit was in flight");
        gate.SetResult();
        await SendAsync(probe, offsets.Skip(3));
        await probe.SendCompleteAsync();
        await done.WaitAsync(Patience);
        _committer.Processed.Should().HaveCount(6);
    }

    [Fact]
    public async Task Sink_NextOffsetObserved_MarksAnOffsetOnlyWhenTheNextOneArrives()
    {
        var offsets = _committer.Offsets(3);
        var stream = new[] { offsets[0], offsets[0], offsets[1], offsets[1], offsets[1], offsets[2] };
        var (probe, done) = this.SourceProbe<ICommittableOffset>()
            .ToMaterialized(Committer.Sink<ICommittableOffset>(Settings(maxBatch: 2).WithWhen(CommitWhen.NextOffsetObserved)), Keep.Both)
            .Run(_materializer);

        // Repeats do not count towards the batch: the first commit comes with the third element, the first of offset 1,
        // and at that moment offset 0 (and only it) is marked processed.
        await SendAsync(probe, stream[..4]);
        await Eventually.TrueAsync(() => _committer.Commits == 1, Patience);
        _committer.CommittedProcessedCount.Should().Be(1, "offset 1 is not processed on its first appearance");
        _committer.Processed.Should().Equal(offsets[0]);

        await SendAsync(probe, stream[4..]);
        await Eventually.TrueAsync(() => _committer.Processed.Count == 2, Patience);
        await probe.SendCompleteAsync();
        await done.WaitAsync(Patience);

        _committer.Processed.Should().Equal(offsets[0], offsets[1], offsets[2]);
    }

    [Fact]
    public async Task BatchFlow_Batches_AreEmittedWithTheirOffsets()
    {
        var offsets = _committer.Offsets(5);

        var batches = await Source.From(offsets)
            .Via(Committer.BatchFlow<ICommittableOffset>(Settings(maxBatch: 2)))
            .RunWith(Sink.Seq<CommittableOffsetBatch>(), _materializer)
            .WaitAsync(Patience);

        batches.Select(b => b.BatchSize).Should().Equal(2, 2, 1);
        batches[^1].Offsets.Should().ContainSingle().Which.Value.Should().Be(4);
        batches[0].Offsets.Single().Key.Should().Be(new GroupTopicPartition("group", "topic", 0));
    }

    [Fact]
    public async Task Sink_ForeignCommittable_FailsNamingTheType()
    {
        var done = Source.From<ICommittable>([new Foreign()]).RunWith(Committer.Sink(Settings(maxBatch: 2)), _materializer);

        await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<ArgumentException>().WithMessage("*Foreign*");
    }

    [Fact]
    public async Task SinkWithOffsetContext_Pairs_CommitsTheContexts()
    {
        var offsets = _committer.Offsets(3);

        await Source.From(offsets.Select((o, i) => ($"element {i}", o)))
            .RunWith(Committer.SinkWithOffsetContext<string>(Settings(maxBatch: 10)), _materializer)
            .WaitAsync(Patience);

        _committer.Processed.Should().Equal(offsets);
    }

    [Fact]
    public async Task CommittableOffsetBatch_Commit_MarksEveryOffsetAndCommitsOnce()
    {
        var batch = CommittableOffsetBatch.Create(_committer.Offsets(4));

        await batch.CommitAsync().WaitAsync(Patience);

        batch.BatchSize.Should().Be(4);
        _committer.Processed.Should().HaveCount(4);
        _committer.Commits.Should().Be(1);
        batch.Updated(_committer.Offsets(1)[0]).BatchSize.Should().Be(5);
        batch.BatchSize.Should().Be(4, "batches are immutable");
    }

    private static async Task SendAsync(TestPublisher.Probe<ICommittableOffset> probe, IEnumerable<ICommittableOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            await probe.SendNextAsync(offset);
        }
    }

    private static CommitterSettings Settings(int maxBatch) =>
        CommitterSettings.Default.WithMaxBatch(maxBatch).WithMaxInterval(TimeSpan.FromSeconds(1));

    private sealed class Foreign : ICommittable
    {
        public long BatchSize => 1;

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    /// <summary>Stands in for a consumer: records what was marked processed and counts commits.</summary>
    private sealed class FakeCommitter : IOffsetCommitter
    {
        private readonly ConcurrentQueue<ICommittableOffset> _processed = new();
        private readonly PartitionState _partition;
        private int _commits;
        private int _committedProcessed;

        public FakeCommitter() => _partition = new PartitionState(this, new TopicPartition("topic", 0));

        public string GroupId => "group";

        public Exception? FailWith { get; set; }

        public Task? Gate { get; set; }

        public int Commits => Volatile.Read(ref _commits);

        public int CommittedProcessedCount => Volatile.Read(ref _committedProcessed);

        public IReadOnlyList<ICommittableOffset> Processed => [.. _processed];

        public IReadOnlyList<ICommittableOffset> Offsets(int count)
        {
            var ledger = _partition.Ledger;
            var first = ledger.LastRegistered + 1;
            return [.. Enumerable.Range(0, count).Select(i => new CommittableOffset(_partition, ledger.Epoch, ledger.Register(first + i, 0), first + i))];
        }

        public void MarkProcessed(CommittableOffset offset)
        {
            if (!_processed.Contains(offset))
            {
                _processed.Enqueue(offset);
            }
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _commits);
            Volatile.Write(ref _committedProcessed, _processed.Count);
            if (Gate is { } gate)
            {
                await gate;
            }

            if (FailWith is { } failure)
            {
                throw failure;
            }
        }
    }
}
