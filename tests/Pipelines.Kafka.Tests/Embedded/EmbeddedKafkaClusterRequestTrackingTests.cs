using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Embedded;

/// <summary>A cluster of their own (tests of one class run one at a time), so no other test's requests are recorded.</summary>
public sealed class EmbeddedKafkaClusterRequestTrackingTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>
{
    private EmbeddedKafkaCluster Cluster => fixture.Cluster;

    private KafkaClusterFixture Kafka => fixture.Kafka;

    [Fact]
    public async Task GetRequests_ConsumerCommits_OffsetCommitReachesTheGroupsCoordinatorOnly()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var groupId = KafkaClusterFixture.NewGroupId();
        Cluster.SetGroupCoordinator(groupId, brokerId: 2);

        Cluster.StartRequestTracking();
        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(Kafka.ConsumerConfig(groupId)).Build();
            consumer.Commit([new TopicPartitionOffset(topic, 0, 7)]);
        });
        var requests = Cluster.GetRequests();
        Cluster.StopRequestTracking();

        requests.Where(r => r.ApiKey == KafkaApiKey.OffsetCommit).Should().ContainSingle().Which.BrokerId.Should().Be(2);
        requests.Should().Contain(r => r.ApiKey == KafkaApiKey.FindCoordinator, "the client asked where the group's coordinator is");
        requests.Select(r => r.ReceivedAt).Should().BeInAscendingOrder("requests are listed in the order they arrived");
        (await Kafka.GetCommittedOffsetsAsync(groupId, topic)).Single().Offset.Value.Should().Be(7);
    }

    [Fact]
    public async Task GetRequests_ProducerSends_ProduceRequestsGoToThePartitionLeaderOnly()
    {
        var topic = KafkaClusterFixture.NewTopicName();
        Cluster.CreateTopic(topic, 1);
        Cluster.SetPartitionLeader(topic, 0, brokerId: 3);

        Cluster.StartRequestTracking();
        await Kafka.ProduceBatchAsync(topic, 10);
        var requests = Cluster.GetRequests();
        Cluster.StopRequestTracking();

        requests.Where(r => r.ApiKey == KafkaApiKey.Produce).Should().NotBeEmpty().And.OnlyContain(r => r.BrokerId == 3);
        requests.Should().OnlyContain(r => r.BrokerId >= 1 && r.BrokerId <= Cluster.BrokerCount);
    }

    [Fact]
    public async Task GetRequests_TrackingStopped_RecordsNothing()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        Cluster.StartRequestTracking();
        Cluster.StopRequestTracking();

        await Kafka.ProduceBatchAsync(topic, 3);

        Cluster.GetRequests().Should().BeEmpty();
    }

    [Fact]
    public async Task StopRequestTracking_AfterTraffic_DiscardsWhatWasRecorded()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        Cluster.StartRequestTracking();
        await Kafka.ProduceBatchAsync(topic, 3);
        var recorded = Cluster.GetRequests();

        Cluster.StopRequestTracking();

        recorded.Should().Contain(r => r.ApiKey == KafkaApiKey.Produce);
        Cluster.GetRequests().Should().BeEmpty();
    }

    [Fact]
    public async Task ClearRequests_WhileTracking_DropsWhatWasRecordedAndKeepsRecording()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        Cluster.StartRequestTracking();
        await Kafka.ProduceBatchAsync(topic, 3);
        var before = Cluster.GetRequests();

        Cluster.ClearRequests();
        var cleared = Cluster.GetRequests();
        await Kafka.ProduceBatchAsync(topic, 3);
        var after = Cluster.GetRequests();
        Cluster.StopRequestTracking();

        before.Should().Contain(r => r.ApiKey == KafkaApiKey.Produce);
        cleared.Should().NotContain(r => r.ApiKey == KafkaApiKey.Produce, "the producer that sent them is gone and the record was cleared");
        after.Should().Contain(r => r.ApiKey == KafkaApiKey.Produce);
        after.Should().NotContain(before, "nothing recorded before the clear comes back");
    }
}
