using System.Text;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Sarama;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Sarama;

public sealed class SyncProducerTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private KafkaClusterFixture Kafka => fixture.Kafka;

    public void Dispose() => fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);

    [Fact]
    public async Task SendAsync_ReturnsWhereTheMessageWasStored_AndFillsInTheMessage()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        using var producer = Producer();
        var message = SaramaMessage.Create(topic, "order-7", "paid");
        message.Metadata = "mine";
        message.Headers = new Headers { { "trace", Encoding.UTF8.GetBytes("42") } };

        var delivery = await producer.SendAsync(message);

        var stored = (await Kafka.ConsumeAllAsync(topic, 1, Patience)).Single();
        delivery.Should().Be(new Delivery(topic, stored.Partition.Value, stored.Offset.Value));
        delivery.Partition.Should().Be(Fnv1aHash.Partition("order-7"u8, 3), "Sarama's hash partitioner is the default");
        message.Partition.Should().Be(delivery.Partition);
        message.Offset.Should().Be(delivery.Offset);
        message.Metadata.Should().Be("mine");
        stored.Message.Key.Should().Be("order-7");
        stored.Message.Value.Should().Be("paid");
        Encoding.UTF8.GetString(stored.Message.Headers.GetLastBytes("trace")).Should().Be("42");
    }

    [Fact]
    public void Create_AcksOtherThanAll_IsRefused()
    {
        var options = new SaramaProducerOptions { KafkaClients = new Dictionary<string, string> { ["acks"] = "1" } };

        var act = () => new SyncProducer(TestSettings.Producer(Kafka.BootstrapServers), options);

        act.Should().Throw<SettingsException>().WithMessage("*acks must be all*but is 1*");
    }

    [Fact]
    public void Create_OptionsWrong_EveryProblemIsListed()
    {
        var options = new SaramaProducerOptions
        {
            Brokers = [" "],
            ChannelBufferSize = 0,
            KafkaClients = new Dictionary<string, string> { ["partitioner"] = "random" },
        };

        var act = () => new SyncProducer(TestSettings.Producer(Kafka.BootstrapServers), options);

        act.Should().Throw<SettingsException>().Which.Problems.Should().HaveCount(3)
            .And.Contain(p => p.Contains("brokers", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("channel-buffer-size", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("partitioner is decided by the balancer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_BrokerRefuses_ThrowsNamingTopicPartitionAndReason()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        using var producer = Producer();
        fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);

        var act = () => producer.SendAsync(SaramaMessage.Create(topic, "k", "v"));

        var thrown = (await act.Should().ThrowAsync<KafkaProduceException<byte[]?, byte[]?>>()).Which;
        thrown.Error.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        thrown.Message.Should().Contain($"topic \"{topic}\" partition 0");
    }

    [Fact]
    public async Task SendMessagesAsync_SomeRefused_ListsEachFailedMessage_TheOthersAreStored()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        using var producer = Producer(Balancer.Manual);
        var messages = Enumerable.Range(0, 4).Select(i =>
        {
            var m = SaramaMessage.Create(topic, null, $"v{i}");
            m.Partition = i == 2 ? 9 : i % 2;   // partition 9 does not exist
            return m;
        }).ToList();

        var act = () => producer.SendMessagesAsync(messages);

        var errors = (await act.Should().ThrowAsync<ProducerErrorsException>()).Which.Errors;
        errors.Should().ContainSingle().Which.Message.Should().BeSameAs(messages[2]);
        errors[0].Exception.Should().BeOfType<KafkaProduceException<byte[]?, byte[]?>>().Which.Error.Code.Should().Be(ErrorCode.Local_UnknownPartition);
        var stored = await Kafka.ConsumeAllAsync(topic, 3, Patience);
        stored.Select(r => r.Message.Value).Should().BeEquivalentTo("v0", "v1", "v3");
        messages.Where((_, i) => i != 2).Should().OnlyContain(m => m.Offset != null);
    }

    [Fact]
    public async Task SendAsync_AfterClose_IsRefused()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var producer = Producer();
        await producer.SendAsync(SaramaMessage.Create(topic, "k", "v"));
        await producer.CloseAsync();

        var act = () => producer.SendAsync(SaramaMessage.Create(topic, "k", "v"));

        await act.Should().ThrowAsync<ObjectDisposedException>();
        await producer.CloseAsync();   // idempotent
    }

    private SyncProducer Producer(Balancer? balancer = null) =>
        new(TestSettings.Producer(Kafka.BootstrapServers), new SaramaProducerOptions { Balancer = balancer ?? Balancer.Fnv1a });
}
