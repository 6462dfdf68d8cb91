using Confluent.Kafka;
using Confluent.Kafka.Admin;
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
