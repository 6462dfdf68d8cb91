using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Admin;

public sealed class KafkaAdminTests : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;

    public KafkaAdminTests(KafkaClusterFixture kafka) => _kafka = kafka;

    [Fact]
    public async Task ListTopics_CreatedTopics_AreListedWithTheirPartitions()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 5);
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        var topics = admin.ListTopics(Patience);

        topics.Should().Contain(t => t.Name == topic).Which.Partitions.Should().Equal(0, 1, 2, 3, 4);
        topics.Should().BeInAscendingOrder(t => t.Name, StringComparer.Ordinal);
    }

    [Fact]
    public async Task DescribeTopic_ExistingAndMissing_DescribesOrReturnsNull()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        admin.DescribeTopic(topic, Patience)!.PartitionCount.Should().Be(2);
        admin.DescribeTopic(KafkaClusterFixture.NewTopicName(), Patience).Should().BeNull();
    }

    [Fact]
    public async Task DescribeTopic_PartitionDetails_NameEachPartitionsLeaderAndReplicas()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 3);
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        var info = admin.DescribeTopic(topic, Patience)!;

        info.PartitionDetails.Select(p => p.Partition).Should().Equal(0, 1, 2);
        info.PartitionDetails.Should().OnlyContain(p => p.Replicas.Contains(p.Leader) && p.InSyncReplicas.Contains(p.Leader));
        info.PartitionDetails.Should().OnlyContain(p => p.Replicas.Count == info.ReplicationFactor);
    }

    [Fact]
    public void Constructor_WithLogger_RoutesTheClientsErrorsToIt()
    {
        var logger = new CapturingLogger();
        using var admin = new KafkaAdmin(new AdminClientConfig { BootstrapServers = "127.0.0.1:1" }, logger);

        var act = () => admin.ListTopics(TimeSpan.FromSeconds(5));

        act.Should().Throw<KafkaException>();
        logger.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("127.0.0.1:1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Constructor_FromAProducersHandle_UsesItsConnectionAndLeavesItOpen()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        using var producer = new ProducerBuilder<Null, string>(_kafka.ProducerConfig()).Build();

        using (var admin = new KafkaAdmin(producer.Handle))
        {
            admin.DescribeTopic(topic, Patience)!.PartitionCount.Should().Be(2);
        }

        var delivery = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "still open" });
        delivery.Status.Should().Be(PersistenceStatus.Persisted);
    }

    [Fact]
    public async Task CreateTopicsIfMissing_TopicExists_CreatesNothingAndKeepsItsPartitions()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 3);
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        var created = await admin.CreateTopicsIfMissingAsync(
            [new TopicSpecification { Name = topic, NumPartitions = 12, ReplicationFactor = 1 }], Patience);

        created.Should().BeEmpty();
        admin.DescribeTopic(topic, Patience)!.PartitionCount.Should().Be(3);
    }

    [Fact]
    public async Task CreateTopicsIfMissing_MissingTopic_IsCreatedOrTheRefusalNamesIt()
    {
        var topic = KafkaClusterFixture.NewTopicName();
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        var act = () => admin.CreateTopicsIfMissingAsync(
            [new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }], TimeSpan.FromSeconds(3));

        if (_kafka.IsEmbedded)
        {
            // librdkafka's mock cluster does not implement CreateTopics: the failure must surface, naming the topic.
            (await act.Should().ThrowAsync<KafkaException>()).Which.Message.Should().Contain(topic);
        }
        else
        {
            (await act()).Should().Equal(topic);
            admin.DescribeTopic(topic, Patience)!.PartitionCount.Should().Be(2);
        }
    }

    [Fact]
    public async Task CreateTopicsIfMissing_ZeroPartitions_IsRejectedBeforeAnyRequest()
    {
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);

        var act = () => admin.CreateTopicsIfMissingAsync([new TopicSpecification { Name = "x", NumPartitions = 0 }], Patience);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*at least one partition*");
    }
}
