using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

/// <summary>External sources: several sources sharing one consumer actor the test created from <see cref="KafkaConsumerActor.Props{TKey, TValue}"/>.</summary>
public sealed class ExternalSourceTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public ExternalSourceTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ExternalSourceTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task ExternalSources_TwoShareOneConsumer_EachReadsItsPartitionsAndTheLastToLeaveStopsTheConsumer()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 2, count: 100);
        var consumer = StartConsumer(group);
        var watcher = CreateTestProbe();
        watcher.Watch(consumer);
        var committable = new ConcurrentQueue<ConsumeResult<string, string>>();
        var plain = new ConcurrentQueue<ConsumeResult<string, string>>();

        var (first, firstDone) = KafkaConsumer.CommittableExternalSource<string, string>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 0)))
            .Select(m =>
            {
                committable.Enqueue(m.Record);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);
        var (second, secondDone) = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 1)))
            .ToMaterialized(Sink.ForEach<ConsumeResult<string, string>>(plain.Enqueue), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => committable.Count >= 50 && plain.Count >= 50, Patience);

        // The committable source leaves: its processed offsets are committed and the shared consumer goes on for the other.
        await first.DrainAndShutdown(firstDone).WaitAsync(Patience);
        (await _kafka.GetCommittedOffsetsAsync(group, topic)).Single(o => o.Partition.Value == 0).Offset.Value.Should().Be(50);
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 2, count: 20, firstValue: 100);
        await Eventually.TrueAsync(() => plain.Count >= 60, Patience, "records produced after the first source left");
        await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await second.DrainAndShutdown(secondDone).WaitAsync(Patience);
        await watcher.ExpectTerminatedAsync(consumer, Patience);

        committable.Should().OnlyContain(r => r.Partition.Value == 0).And.HaveCount(50);
        plain.Should().OnlyContain(r => r.Partition.Value == 1).And.HaveCount(60);
        plain.Select(r => r.Offset.Value).Should().Equal(Enumerable.Range(0, 60).Select(i => (long)i));
        second.IsShutdown.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task ExternalSource_ConsumerActorToldToStop_TheStreamFailsSayingSo()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 1, count: 10);
        var consumer = StartConsumer(KafkaClusterFixture.NewGroupId());
        var seen = 0;
        var (_, done) = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 0)))
            .ToMaterialized(Sink.ForEach<ConsumeResult<string, string>>(_ => Interlocked.Increment(ref seen)), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 10, Patience);

        consumer.Tell(KafkaConsumerActor.Stop.Instance);

        (await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain(consumer.Path.ToString()).And.Contain("was told to stop while its sources were still reading");
    }

    [Fact]
    public async Task ExternalSource_ConsumerActorGone_FailsInsteadOfWaitingForever()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var consumer = StartConsumer(KafkaClusterFixture.NewGroupId());
        var watcher = CreateTestProbe();
        watcher.Watch(consumer);
        Sys.Stop(consumer);
        await watcher.ExpectTerminatedAsync(consumer, Patience);

        var (_, done) = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 0)))
            .ToMaterialized(Sink.Ignore<ConsumeResult<string, string>>(), Keep.Both)
            .Run(_materializer);

        (await FluentActions.Awaiting(() => done.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("stopped").And.Contain("before the source could register");
    }

    [Fact]
    public async Task ExternalSources_SamePartitionTwice_TheSecondFailsNamingThePartition()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var consumer = StartConsumer(KafkaClusterFixture.NewGroupId());
        var partition = new TopicPartition(topic, 0);
        var (first, firstDone) = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(partition))
            .ToMaterialized(Sink.Ignore<ConsumeResult<string, string>>(), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(() => first.Metrics.Partitions.ContainsKey(partition), Patience);

        var secondDone = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(partition))
            .RunWith(Sink.Ignore<ConsumeResult<string, string>>(), _materializer);

        (await FluentActions.Awaiting(() => secondDone.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain($"{topic} [0]").And.Contain("another source");
        await first.DrainAndShutdown(firstDone).WaitAsync(Patience);
    }

    [Fact]
    public async Task ExternalSource_ConsumerOfOtherTypes_FailsNamingTheTypesAndLeavesTheConsumerRunning()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 2, count: 10);
        var consumer = StartConsumer(KafkaClusterFixture.NewGroupId());
        var seen = 0;
        var (control, done) = KafkaConsumer.PlainExternalSource<string, string>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 0)))
            .ToMaterialized(Sink.ForEach<ConsumeResult<string, string>>(_ => Interlocked.Increment(ref seen)), Keep.Both)
            .Run(_materializer);

        var wrong = KafkaConsumer.PlainExternalSource<string, byte[]>(consumer, Subscriptions.Assignment(new TopicPartition(topic, 1)))
            .RunWith(Sink.Ignore<ConsumeResult<string, byte[]>>(), _materializer);

        (await FluentActions.Awaiting(() => wrong.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("Byte[]").And.Contain("ConsumerSettings<String, Byte[]>");
        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 5, Patience, "the first source's records");
        await control.DrainAndShutdown(done).WaitAsync(Patience);
    }

    private IActorRef StartConsumer(string group)
    {
        KafkaConsumerActor.EnsureDispatcher(Sys);
        return Sys.ActorOf(KafkaConsumerActor.Props(KafkaTestSettings.Consumer(_kafka, group)), "consumer-" + group[^8..].ToString(CultureInfo.InvariantCulture));
    }
}
