using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.TestKit;

public sealed class KafkaClusterFixtureTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CreateTopicAsync_CalledTwice_CreatesDistinctTopicsNamedAfterTheTest()
    {
        var first = await kafka.CreateTopicAsync(partitions: 3);
        var second = await kafka.CreateTopicAsync(partitions: 1);

        first.Should().NotBe(second);
        first.Should().StartWith(nameof(CreateTopicAsync_CalledTwice_CreatesDistinctTopicsNamedAfterTheTest) + "-");
        KafkaTopicName.Problem(first).Should().BeNull();
        PartitionCount(first).Should().Be(3);
        PartitionCount(second).Should().Be(1);
    }

    [Fact]
    public async Task ProduceBatchAsync_ThenConsumeAllAsync_ReturnsEveryRecordInPartitionOrder()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 4);

        var delivered = await kafka.ProduceBatchAsync(topic, 50);
        var read = await kafka.ConsumeAllAsync(topic, 50, Patience);

        delivered.Should().HaveCount(50).And.OnlyContain(d => d.Status == PersistenceStatus.Persisted);
        delivered.Select(d => d.Message.Key).Should().Equal(Enumerable.Range(0, 50).Select(i => $"key-{i}"));
        read.Select(r => (r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value)).Should().BeEquivalentTo(
            delivered.Select(d => (d.Partition.Value, d.Offset.Value, d.Message.Key, d.Message.Value)));
        foreach (var partition in read.GroupBy(r => r.Partition.Value))
        {
            partition.Select(r => r.Offset.Value).Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task ConsumeAllAsync_MoreRecordsThanExpected_ReturnsAllOfThem()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 2);
        await kafka.ProduceBatchAsync(topic, 7);

        var read = await kafka.ConsumeAllAsync(topic, 3, Patience);

        read.Should().HaveCount(7, "everything in the topic is read, so duplicates and extras show up in assertions");
    }

    [Fact]
    public async Task ConsumeAllAsync_FewerRecordsThanExpected_ThrowsTimeoutSayingHowManyArrived()
    {
        var topic = await kafka.CreateTopicAsync();
        await kafka.ProduceBatchAsync(topic, 2);

        var act = () => kafka.ConsumeAllAsync(topic, 5, TimeSpan.FromSeconds(2));

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage($"Read 2 of 5 expected records from topic \"{topic}\"*");
    }

    [Fact]
    public async Task GetCommittedOffsetsAsync_AfterAGroupCommits_ReportsTheCommittedOffsetPerPartition()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 2);
        var groupId = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, 4);

        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(kafka.ConsumerConfig(groupId)).Build();
            consumer.Commit([new TopicPartitionOffset(topic, 1, 2)]);
        });
        var committed = await kafka.GetCommittedOffsetsAsync(groupId, topic);

        committed.Select(c => (c.Partition.Value, c.Offset)).Should().Equal((0, Offset.Unset), (1, new Offset(2)));
    }

    [Fact]
    public void NewGroupId_CalledTwice_IsUniqueAndNamedAfterTheTest()
    {
        var first = KafkaClusterFixture.NewGroupId();
        var second = KafkaClusterFixture.NewGroupId();

        first.Should().NotBe(second).And.StartWith("group-" + nameof(NewGroupId_CalledTwice_IsUniqueAndNamedAfterTheTest) + "-");
    }

    [Fact]
    public async Task ExternalCluster_Initialized_UsesTheGivenServersAndHelpersWorkAgainstThem()
    {
        using var other = EmbeddedKafkaCluster.Start(1);
        var external = new KafkaClusterFixture(other.BootstrapServers);
        await external.InitializeAsync();
        var topic = KafkaClusterFixture.NewTopicName();
        other.CreateTopic(topic, 1);

        await external.ProduceBatchAsync(topic, 3);
        var read = await external.ConsumeAllAsync(topic, 3, Patience);
        await external.DisposeAsync();

        external.IsEmbedded.Should().BeFalse();
        external.Embedded.Should().BeNull();
        external.BootstrapServers.Should().Be(other.BootstrapServers);
        read.Select(r => r.Message.Value).Should().Equal("value-0", "value-1", "value-2");
    }

    [Fact]
    public async Task DeleteTopicsAsync_CreatedAndOtherTopics_DeletesOnlyTheCreatedOnes()
    {
        var deleted = await kafka.CreateTopicAsync();
        var kept = await kafka.CreateTopicAsync();

        await kafka.DeleteTopicsAsync([deleted, "not-created-by-the-fixture"]);

        await Eventually.TrueAsync(() => !AllTopics(kafka.BootstrapServers).Contains(deleted), what: $"topic {deleted} to be deleted");
        AllTopics(kafka.BootstrapServers).Should().Contain(kept);
    }

    [Fact]
    public async Task DisposeAsync_OneTopicAlreadyDeletedThroughTheCluster_DeletesTheOthersWithoutFailing()
    {
        var fixture = new KafkaClusterFixture(externalBootstrapServers: null);
        await fixture.InitializeAsync();
        var gone = await fixture.CreateTopicAsync();
        var left = await fixture.CreateTopicAsync();
        fixture.Embedded!.DeleteTopic(gone);

        var cleanUp = () => fixture.DeleteTopicsAsync([gone, left]);

        await cleanUp.Should().NotThrowAsync();
        AllTopics(fixture.BootstrapServers).Should().NotContain([gone, left]);
        await fixture.DisposeAsync();
    }

    [Fact]
    public void BootstrapServers_BeforeInitialize_ThrowsSayingSo()
    {
        var fixture = new KafkaClusterFixture(externalBootstrapServers: null);

        var act = () => fixture.BootstrapServers;

        act.Should().Throw<InvalidOperationException>().WithMessage("*not initialized*");
    }

    // Every topic of the cluster (asking the embedded cluster for one topic by name would create it).
    private static List<string> AllTopics(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
    }

    private int PartitionCount(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
    }
}
