using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

/// <summary>Faults are injected into the cluster, so this class runs its own.</summary>
public sealed class BrokerFaultTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly KafkaClusterFixture _kafka = new(externalBootstrapServers: null);
    private readonly ITestOutputHelper _output;
    private readonly IMaterializer _materializer;

    public BrokerFaultTests(ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(BrokerFaultTests), output)
    {
        _output = output;
        _materializer = Sys.Materializer();
    }

    private EmbeddedKafkaCluster Cluster => _kafka.Embedded!;

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public async Task DisposeAsync()
    {
        // The consumers close with the actor system, before their cluster goes away.
        await Sys.Terminate();
        await _kafka.DisposeAsync();
    }

    [Fact]
    public async Task CommittableSource_CoordinatorMovesBrokerBouncesAndRequestsFail_RecoversWithoutLoss()
    {
        const int partitions = 4;
        const int phase = 500;
        var topic = await _kafka.CreateTopicAsync(partitions);
        var group = KafkaClusterFixture.NewGroupId();
        for (var p = 0; p < partitions; p++)
        {
            Cluster.SetPartitionLeader(topic, p, brokerId: 1 + (p % 3));
        }

        var processed = new ConcurrentDictionary<string, int>();
        var settings = KafkaTestSettings.Consumer(_kafka, group).WithCommitTimeout(TimeSpan.FromSeconds(30));
        var (control, done) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Select(m =>
            {
                processed.AddOrUpdate(m.Record.Message.Value, 1, (_, n) => n + 1);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 50)), Keep.Both)
            .Run(_materializer);

        Mark("Phase 1");
        // Phase 1: normal flow.
        await TestProducer.ProduceAsync(_kafka, topic, partitions, phase, firstValue: 0);
        await Eventually.TrueAsync(() => processed.Count >= phase, Patience);

        Mark("Phase 2");
        // Phase 2: the group coordinator moves to another broker.
        Cluster.SetGroupCoordinator(group, brokerId: 3);
        Cluster.SetGroupCoordinator(group, brokerId: 2);
        await TestProducer.ProduceAsync(_kafka, topic, partitions, phase, firstValue: phase);
        await Eventually.TrueAsync(() => processed.Count >= 2 * phase, Patience);

        Mark("Phase 3");
        // Phase 3: the leader of partition 2 goes down while records are produced (the other partitions keep flowing),
        // then comes back.
        Cluster.SetBrokerDown(3);
        var producing = TestProducer.ProduceAsync(_kafka, topic, partitions, phase, firstValue: 2 * phase);
        await Eventually.TrueAsync(() => processed.Count >= 2 * phase + phase / 2, Patience);
        Cluster.SetBrokerUp(3);
        await producing.WaitAsync(Patience);
        await Eventually.TrueAsync(() => processed.Count >= 3 * phase, Patience);

        Mark("Phase 4");
        // Phase 4: retriable errors on fetch, produce and commit requests.
        Cluster.PushRequestErrors(KafkaApiKey.Fetch, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.LeaderNotAvailable);
        Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.RequestTimedOut, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup);
        await TestProducer.ProduceAsync(_kafka, topic, partitions, phase, firstValue: 3 * phase, oneRequestInFlight: true);
        await Eventually.TrueAsync(() => processed.Count >= 4 * phase, Patience);

        Mark("drain");
        await control.DrainAndShutdown(done).WaitAsync(Patience);
        Mark("done");

        processed.Keys.Select(int.Parse).Order().Should().Equal(Enumerable.Range(0, 4 * phase), "no record is lost");
        var committed = await _kafka.GetCommittedOffsetsAsync(group, topic);
        committed.Sum(c => c.Offset.Value).Should().Be(4 * phase, "everything processed ends up committed");
        control.Metrics.CommitFailures.Should().Be(0);
    }

    [Fact]
    public async Task CommittableSource_ConsumerGroupProtocolCommitRefusedWithAStaleMemberEpoch_CommitsAgainWithoutLoss()
    {
        const int records = 300;
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId();
        var processed = new ConcurrentDictionary<string, int>();
        var settings = KafkaTestSettings.ConsumerOnConsumerProtocol(_kafka, group).WithCommitTimeout(TimeSpan.FromSeconds(30));

        // The member's epoch moving on while a commit is under way (KIP-848): librdkafka hands the refusal of a commit the
        // application asked for back to it instead of retrying.
        Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.StaleMemberEpoch, ErrorCode.StaleMemberEpoch);
        var (control, done) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Select(m =>
            {
                processed.AddOrUpdate(m.Record.Message.Value, 1, (_, n) => n + 1);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 50)), Keep.Both)
            .Run(_materializer);
        await TestProducer.ProduceAsync(_kafka, topic, 2, records, firstValue: 0);

        await Eventually.TrueAsync(async () => (await _kafka.GetCommittedOffsetsAsync(group, topic)).Sum(c => c.Offset.Value) == records, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        processed.Keys.Select(int.Parse).Order().Should().Equal(Enumerable.Range(0, records), "no record is lost");
        control.Metrics.CommitFailures.Should().Be(0);
        control.Metrics.CommitRetries.Should().BeGreaterThanOrEqualTo(1, "the refused commits were sent again");
    }

    private void Mark(string what) => _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} phase: {what}");
}
