using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

public sealed class KafkaSourceTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public KafkaSourceTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(KafkaSourceTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task CommittableSource_IntoCommitterSink_EveryRecordProcessedAndCommitted()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 4);
        var group = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 1000);
        var processed = 0;

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic))
            .Select(m =>
            {
                Interlocked.Increment(ref processed);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);

        await Eventually.TrueAsync(() => Volatile.Read(ref processed) >= 1000, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        processed.Should().Be(1000);
        (await CommittedTotal(group, topic)).Should().Be(1000);
        control.IsShutdown.IsCompletedSuccessfully.Should().BeTrue();
        control.Metrics.RecordsReceived.Should().Be(1000);
        control.Metrics.Commits.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task CommitWithMetadataSource_Commit_StoresTheMetadataOfTheLastCommittedRecordInKafka()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 2, count: 40);
        var processed = 0;

        var control = KafkaConsumer.CommitWithMetadataSource(
                KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic), r => $"{r.Partition.Value}@{r.Offset.Value}:{r.Message.Value}")
            .Select(m =>
            {
                Interlocked.Increment(ref processed);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 7)), DrainingControl<Done>.Create)
            .Run(_materializer);
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) >= 40, Patience);
        (await control.DrainAndShutdown().WaitAsync(Patience)).Should().Be(Done.Instance);

        // Read back with librdkafka directly: Confluent.Kafka's Committed drops the metadata.
        var config = _kafka.ConsumerConfig(group);
        using var reader = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        var committed = Pipelines.Kafka.Native.OffsetCommits.Committed(reader, [new TopicPartition(topic, 0), new TopicPartition(topic, 1)], Patience);
        committed.Select(c => c.Offset.Offset.Value).Should().Equal(20, 20);
        committed.Select(c => c.Metadata).Should().Equal("0@19:38", "1@19:39");
    }

    [Fact]
    public async Task DrainAndShutdown_MidStream_InFlightWorkIsCommittedAndNothingIsRedeliveredOnRestart()
    {
        const int records = 2000;
        var topic = await _kafka.CreateTopicAsync(partitions: 4);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 4, count: records);

        var first = new System.Collections.Concurrent.ConcurrentBag<string>();
        var (control, done) = Run(group, topic, first);
        await Eventually.TrueAsync(() => first.Count >= records / 2, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);
        var firstCommitted = await CommittedTotal(group, topic);

        var second = new System.Collections.Concurrent.ConcurrentBag<string>();
        (control, done) = Run(group, topic, second);
        await Eventually.TrueAsync(() => first.Count + second.Count >= records, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        firstCommitted.Should().Be(first.Count, "everything the first run processed was committed before it closed");
        first.Should().OnlyHaveUniqueItems();
        second.Should().OnlyHaveUniqueItems().And.NotIntersectWith(first, "a clean shutdown re-delivers nothing");
        first.Concat(second).Should().HaveCount(records);
        (await CommittedTotal(group, topic)).Should().Be(records);

        (IControl, Task<Done>) Run(string groupId, string topicName, System.Collections.Concurrent.ConcurrentBag<string> seen) =>
            KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(_kafka, groupId), Subscriptions.Topics(topicName))
                .Select(m =>
                {
                    seen.Add(m.Record.Message.Value);
                    return m.CommittableOffset;
                })
                .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 1000)), Keep.Both)
                .Run(_materializer);
    }

    [Fact]
    public async Task PlainSource_Records_AreEmittedInPartitionOrder()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        await _kafka.ProduceBatchAsync(topic, 200);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<ConsumeResult<string, string>>();

        var (control, done) = KafkaConsumer.PlainSource(KafkaTestSettings.Consumer(_kafka, KafkaClusterFixture.NewGroupId()), Subscriptions.Topics(topic))
            .ToMaterialized(Sink.ForEach<ConsumeResult<string, string>>(seen.Enqueue), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => seen.Count >= 200, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        seen.Should().HaveCount(200);
        foreach (var partition in seen.GroupBy(r => r.Partition.Value))
        {
            partition.Select(r => r.Offset.Value).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }
    }

    [Fact]
    public async Task CommitterSink_ProcessingFailsMidway_CommitsWhatFinishedThenFails()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 100);

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic))
            .Select(m => m.Record.Offset.Value == 37 ? throw new InvalidOperationException("handler failed on 37") : m.CommittableOffset)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 1000)), Keep.Both)
            .Run(_materializer);

        var failure = await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>();
        failure.WithMessage("handler failed on 37");
        await control.Shutdown().WaitAsync(Patience);

        // 0..36 finished and were committed although the batch was not full; 37 failed and is read again after a restart.
        (await CommittedTotal(group, topic)).Should().Be(37);
    }

    [Fact]
    public async Task AtMostOnceSource_EachRecord_IsCommittedBeforeItIsEmitted()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 5);

        var (control, probe) = KafkaConsumer.AtMostOnceSource(KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic))
            .ToMaterialized(this.SinkProbe<ConsumeResult<string, string>>(), Keep.Both)
            .Run(_materializer);
        var committedWhenSeen = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var record = await probe.RequestNextAsync(Patience);
            record.Offset.Value.Should().Be(i);
            committedWhenSeen.Add(await CommittedTotal(group, topic));
        }

        await control.Shutdown().WaitAsync(Patience);
        committedWhenSeen.Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task CommittablePartitionedSource_Substreams_OnePerPartitionEachWithOnlyItsRecords()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 3);
        var group = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 90);
        var perPartition = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var substreams = new System.Collections.Concurrent.ConcurrentBag<Task>();

        var (control, done) = KafkaConsumer.CommittablePartitionedSource(KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic))
            .ToMaterialized(
                Sink.ForEach<(TopicPartition Partition, Source<CommittableMessage<string, string>, NotUsed> Records)>(sub =>
                    substreams.Add(sub.Records
                        .Select(m =>
                        {
                            m.Record.TopicPartition.Should().Be(sub.Partition);
                            perPartition.AddOrUpdate(sub.Partition.Partition.Value, 1, (_, n) => n + 1);
                            return m.CommittableOffset;
                        })
                        .RunWith(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), _materializer))),
                Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => perPartition.Values.Sum() >= 90, Patience);
        // Draining a partitioned source means waiting for the substreams too: they commit after the outer source stopped.
        await control.DrainAndShutdown(AllDone(done, substreams)).WaitAsync(Patience);

        perPartition.Keys.Should().BeEquivalentTo([0, 1, 2]);
        perPartition.Values.Sum().Should().Be(90);
        (await CommittedTotal(group, topic)).Should().Be(90);
    }

    [Fact]
    public async Task PlainPartitionedManualOffsetSource_OffsetsFromTheCallback_StartEachPartitionThere()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        var produced = await TestProducer.ProduceAsync(_kafka, topic, partitions: 2, count: 40);
        var start = new Dictionary<int, long> { [0] = 5, [1] = 15 };
        var first = new System.Collections.Concurrent.ConcurrentDictionary<int, long>();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(int Partition, long Offset), int>();
        var assignments = 0;

        var (control, done) = KafkaConsumer.PlainPartitionedManualOffsetSource(
                KafkaTestSettings.Consumer(_kafka, KafkaClusterFixture.NewGroupId()),
                Subscriptions.Topics(topic),
                assigned =>
                {
                    Interlocked.Increment(ref assignments);
                    return assigned.ToDictionary(tp => tp, tp => start[tp.Partition.Value]);
                })
            .ToMaterialized(
                Sink.ForEach<(TopicPartition Partition, Source<ConsumeResult<string, string>, NotUsed> Records)>(sub =>
                    sub.Records.RunForeach(
                        r =>
                        {
                            first.TryAdd(r.Partition.Value, r.Offset.Value);
                            seen.AddOrUpdate((r.Partition.Value, r.Offset.Value), 1, (_, n) => n + 1);
                        },
                        _materializer)),
                Keep.Both)
            .Run(_materializer);
        var expected = produced
            .Where(d => d.Offset.Value >= start[d.Partition.Value])
            .Select(d => (d.Partition.Value, d.Offset.Value))
            .ToList();
        await Eventually.TrueAsync(() => first.Count == 2 && seen.Count >= expected.Count, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        first[0].Should().Be(5);
        first[1].Should().Be(15);
        seen.Keys.Should().BeEquivalentTo(expected, "each partition starts at the callback's offset and reads everything after it");
        if (Volatile.Read(ref assignments) == 1)
        {
            // A group that rebalanced (possible on a loaded machine) asks the callback again and re-reads from there.
            seen.Values.Should().AllSatisfy(n => n.Should().Be(1), "one assignment reads each record once");
        }
    }

    [Fact]
    public async Task Stop_SourceCompletesButTheConsumerStillCommits()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 10);
        var offsets = new System.Collections.Concurrent.ConcurrentQueue<ICommittableOffset>();

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(_kafka, group), Subscriptions.Topics(topic))
            .ToMaterialized(Sink.ForEach<CommittableMessage<string, string>>(m => offsets.Enqueue(m.CommittableOffset)), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => offsets.Count >= 10, Patience);
        await control.Stop().WaitAsync(Patience);
        await done.WaitAsync(Patience);

        // The stream is over, the consumer is not: committing after the stop still works.
        await CommittableOffsetBatch.Create(offsets).CommitAsync().WaitAsync(Patience);
        (await CommittedTotal(group, topic)).Should().Be(10);
        control.IsShutdown.IsCompleted.Should().BeFalse();
        await control.Shutdown().WaitAsync(Patience);
    }

    [Fact]
    public async Task CommittableSource_UndeserializableValue_FailsTheStreamNamingTheRecord()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        await _kafka.ProduceBatchAsync(topic, [new Message<string, string> { Key = "k", Value = "{oops" }]);
        var settings = KafkaTestSettings.Consumer<string, Order>(_kafka, KafkaClusterFixture.NewGroupId(), null, KafkaDeserializers.Json<Order>());

        var (control, done) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Select(m => m.CommittableOffset)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);

        var failure = (await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<KafkaDeserializationException>()).Which;
        failure.Topic.Should().Be(topic);
        failure.Offset.Should().Be(0);
        await FluentActions.Awaiting(() => control.IsShutdown.WaitAsync(Patience)).Should().ThrowAsync<KafkaDeserializationException>();
    }

    private static async Task AllDone(Task outer, System.Collections.Concurrent.ConcurrentBag<Task> substreams)
    {
        await outer;
        await Task.WhenAll(substreams);
    }

    private async Task<long> CommittedTotal(string group, string topic) =>
        (await _kafka.GetCommittedOffsetsAsync(group, topic)).Sum(c => Math.Max(0, c.Offset.Value));

    public sealed record Order(int Id);
}
