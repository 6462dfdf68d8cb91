using Akka.Configuration;
using Confluent.Kafka;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>The pusher against an embedded cluster of this class's own (the tests inject produce errors into it).</summary>
public sealed class KafkaPusherTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private const string ConfiguredTopic = "pusher-from-config";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;

    public KafkaPusherTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(SystemConfig(fixture), nameof(KafkaPusherTests), output)
    {
        _fixture = fixture;
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task PushAsync_ReturnsThePartitionAndOffsetTheRecordWasStoredAt()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        await using var pusher = Pusher(topic, p => p.FlushInterval = TimeSpan.FromMilliseconds(50));

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => pusher.PushAsync($"key-{i}", $"value-{i}")));

        var stored = await Kafka.ConsumeAllAsync(topic, 30, Patience);
        stored.Should().HaveCount(30);
        for (var i = 0; i < 30; i++)
        {
            var record = stored.Single(r => r.Message.Value == $"value-{i}");
            deliveries[i].Should().Be(new Delivery(topic, record.Partition.Value, record.Offset.Value));
            record.Message.Key.Should().Be($"key-{i}");
        }

        deliveries.Select(d => d.Partition).Distinct().Should().HaveCount(3, "least-bytes spreads the records");
    }

    [Fact]
    public async Task Push_ThenDispose_EveryRecordIsStoredOnce()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 4);
        var pusher = Pusher(topic, p => p.ChunkSize = 4096);
        const int count = 3000;

        for (var i = 0; i < count; i++)
        {
            pusher.Push($"key-{i % 10}", $"value-{i}");
        }

        await pusher.DisposeAsync();

        pusher.DeliveredCount.Should().Be(count);
        pusher.FailedCount.Should().Be(0);
        var stored = await Kafka.ConsumeAllAsync(topic, count, Patience);
        stored.Should().HaveCount(count, "nothing lost, nothing duplicated");
        stored.Select(r => r.Message.Value).Should().OnlyHaveUniqueItems();
        foreach (var partition in stored.GroupBy(r => r.Partition.Value))
        {
            partition.OrderBy(r => r.Offset.Value).Select(r => int.Parse(r.Message.Value["value-".Length..], System.Globalization.CultureInfo.InvariantCulture))
                .Should().BeInAscendingOrder("chunks reach the client in push order, several awaiting acknowledgement at once");
        }
    }

    [Fact]
    public async Task Push_BrokerRefusesWrites_EveryFailureReachesTheHandler_AndEveryRecordIsAccountedFor()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var failures = new System.Collections.Concurrent.ConcurrentBag<PushFailure>();
        var pusher = Pusher(topic, p => p.ChunkSize = 200);
        pusher.Failed += (_, failure) => failures.Add(failure);
        const int count = 300;
        try
        {
            _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed);
            for (var i = 0; i < count; i++)
            {
                pusher.Push($"k{i}", $"value-{i}");
            }

            await pusher.DisposeAsync();
        }
        finally
        {
            _fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);
        }

        pusher.FailedCount.Should().BeGreaterThan(0);
        failures.Should().HaveCount((int)pusher.FailedCount);
        failures.Should().OnlyContain(f => f.Exception is KafkaProduceException<byte[]?, byte[]?>
            && ((KafkaProduceException<byte[]?, byte[]?>)f.Exception).Error.Code == ErrorCode.TopicAuthorizationFailed);
        (pusher.DeliveredCount + pusher.FailedCount).Should().Be(count);
        var stored = await Kafka.ConsumeAllAsync(topic, (int)pusher.DeliveredCount, Patience);
        stored.Should().HaveCount((int)pusher.DeliveredCount);
        stored.Select(r => r.Message.Value).Concat(failures.Select(f => f.Value))
            .Should().BeEquivalentTo(Enumerable.Range(0, count).Select(i => $"value-{i}"), "each record was either stored or reported");
    }

    [Fact]
    public async Task PushAsync_MissingTopic_WithoutAutoCreation_FailsNamingTheTopic_AndCreatesNothing()
    {
        var topic = KafkaClusterFixture.NewTopicName();
        await using var pusher = Pusher(topic, p => p.AllowAutoTopicCreation = false);

        var act = () => pusher.PushAsync("v");

        var thrown = (await act.Should().ThrowAsync<KafkaException>()).Which;
        thrown.Error.Code.Should().Be(ErrorCode.UnknownTopicOrPart);
        thrown.Message.Should().Contain($"\"{topic}\"").And.Contain("AllowAutoTopicCreation");
        using var admin = new KafkaAdmin(Kafka.BootstrapServers);
        admin.DescribeTopic(topic, Patience).Should().BeNull();
    }

    [Fact]
    public async Task PushAsync_MissingTopic_WithAutoCreation_CreatesItAndStoresTheRecord()
    {
        var topic = KafkaClusterFixture.NewTopicName();
        await using var pusher = Pusher(topic, p => p.AllowAutoTopicCreation = true);

        var delivery = await pusher.PushAsync("k", "v").WaitAsync(Patience);

        delivery.Topic.Should().Be(topic);
        (await Kafka.ConsumeAllAsync(topic, 1, Patience)).Single().Message.Value.Should().Be("v");
    }

    [Fact]
    public async Task Create_PusherNamedInTheActorSystemsConfiguration_PushesToItsTopic()
    {
        _fixture.Cluster.CreateTopic(ConfiguredTopic, partitions: 2);
        await using var pusher = KafkaPusher.Create(Sys, "configured");

        var delivery = await pusher.PushAsync("k", "from config").WaitAsync(Patience);

        pusher.Topic.Should().Be(ConfiguredTopic);
        delivery.Topic.Should().Be(ConfiguredTopic);
        await Eventually.TrueAsync(async () => (await Kafka.ConsumeAllAsync(ConfiguredTopic, 1, Patience)).Any(r => r.Message.Value == "from config"));
    }

    private static Akka.Configuration.Config SystemConfig(EmbeddedClusterFixture fixture) =>
        ConfigurationFactory.ParseString(
            $$"""
            pipelines.pushers.configured {
              brokers = ["{{fixture.Kafka.BootstrapServers}}"]
              topic = {{ConfiguredTopic}}
              flush-interval = 20ms
              kafka-clients { linger.ms = 1, max.in.flight.requests.per.connection = 1 }
            }
            """).WithFallback(AkkaTestConfig.RealTime);

    private KafkaPusher Pusher(string topic, Action<KafkaPusherOptions>? change = null)
    {
        var options = new KafkaPusherOptions
        {
            Brokers = [Kafka.BootstrapServers],
            Topic = topic,
            FlushInterval = TimeSpan.FromMilliseconds(20),
            KafkaClients = new Dictionary<string, string>
            {
                ["linger.ms"] = "1",
                ["message.timeout.ms"] = "30000",
                ["retry.backoff.ms"] = "10",
                ["max.in.flight.requests.per.connection"] = "1",
            },
        };
        change?.Invoke(options);
        return new KafkaPusher(Sys, options);
    }
}
