using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Queue;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Tests.Queue;

public sealed class KafkaPusherOptionsTests
{
    [Fact]
    public void FromConfig_EveryKeySet_IsApplied()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.pushers.orders {
              brokers = ["b1:9092", "b2:9092"]
              topic = orders
              chunk-size = 64KiB
              flush-interval = 250ms
              allow-auto-topic-creation = on
              sync-push = true
              balancer = murmur2
              max-pending = 42
              kafka-clients { linger.ms = 7, compression.type = lz4 }
            }
            """);

        var options = KafkaPusherOptions.FromConfig(config, "orders");

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.Topic.Should().Be("orders");
        options.ChunkSize.Should().Be(64 * 1024);
        options.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.AllowAutoTopicCreation.Should().BeTrue();
        options.SyncPush.Should().BeTrue();
        options.Balancer.Should().BeSameAs(Balancer.Murmur2);
        options.MaxPending.Should().Be(42);
        options.KafkaClients.Should().Equal(new Dictionary<string, string> { ["compression.type"] = "lz4", ["linger.ms"] = "7" });
    }

    [Fact]
    public void FromConfig_KeysNotSet_ComeFromPusherDefaults_UsersFirstThenReference()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.pusher-defaults.flush-interval = 2s
            pipelines.pushers.audit.topic = audit
            """);

        var options = KafkaPusherOptions.FromConfig(config, "audit");

        options.FlushInterval.Should().Be(TimeSpan.FromSeconds(2));
        options.ChunkSize.Should().Be(1024 * 1024);
        options.Balancer.Should().BeSameAs(Balancer.LeastBytes);
        options.AllowAutoTopicCreation.Should().BeFalse();
        options.SyncPush.Should().BeFalse();
        options.MaxPending.Should().Be(10_000);
        options.Brokers.Should().BeEmpty();
        options.KafkaClients.Should().BeEmpty();
    }

    [Fact]
    public void FromConfig_UnknownKeyAndWrongValues_AreAllListed()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.pushers.orders {
              topic = "bad topic"
              chunk-size = 0
              flush-interval = 0s
              balancer = sticky
              max-pending = 0
              chunk-sise = 10
              kafka-clients.partitioner = murmur2
            }
            """);

        var act = () => KafkaPusherOptions.FromConfig(config, "orders");

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.chunk-sise: is not a pusher setting", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.topic:", StringComparison.Ordinal) && p.Contains("' '", StringComparison.Ordinal));
        problems.Should().Contain("pipelines.pushers.orders.chunk-size: must be at least 1 byte, but is 0");
        problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.flush-interval: must be greater than zero", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.balancer: Unknown balancer \"sticky\"", StringComparison.Ordinal));
        problems.Should().Contain("pipelines.pushers.orders.max-pending: must be at least 1, but is 0");
        problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.kafka-clients: partitioner is decided by the balancer", StringComparison.Ordinal));
    }

    [Fact]
    public void FromConfig_NoSuchPusher_SaysWhereToAddIt()
    {
        var act = () => KafkaPusherOptions.FromConfig(PipelinesConfiguration.Reference(), "missing");

        act.Should().Throw<SettingsException>().WithMessage("*pipelines.pushers.missing*no pusher named \"missing\"*");
    }

    [Fact]
    public void FromConfig_NoTopic_IsRequired()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.pushers.orders.chunk-size = 1K");

        var act = () => KafkaPusherOptions.FromConfig(config, "orders");

        act.Should().Throw<SettingsException>().Which.Problems.Should().Contain(p => p.StartsWith("pipelines.pushers.orders.topic: is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ManualBalancer_IsRefused_PushedRecordsNameNoPartition()
    {
        var options = new KafkaPusherOptions { Topic = "t", Balancer = Balancer.Manual };

        var act = options.Validate;

        act.Should().Throw<SettingsException>().WithMessage("*balancer: manual is not possible for a pusher*");
    }

    [Fact]
    public void Validate_ClientPropertiesThatOptionsDecide_AreRefused()
    {
        var options = new KafkaPusherOptions
        {
            Topic = "t",
            Brokers = ["b:9092"],
            KafkaClients = new Dictionary<string, string> { ["allow.auto.create.topics"] = "true", ["bootstrap.servers"] = "c:9092" },
        };

        var problems = options.Invoking(o => o.Validate()).Should().Throw<SettingsException>().Which.Problems;

        problems.Should().Contain(p => p.Contains("allow.auto.create.topics is decided by allow-auto-topic-creation", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("bootstrap.servers and brokers are both set", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_SetsBrokersClientPropertiesAndTopicCreation()
    {
        var options = new KafkaPusherOptions
        {
            Topic = "t",
            Brokers = ["b1:9092", "b2:9092"],
            AllowAutoTopicCreation = false,
            KafkaClients = new Dictionary<string, string> { ["linger.ms"] = "3" },
        };

        var settings = options.Apply(ProducerSettings<byte[]?, byte[]?>.Create(PipelinesConfiguration.Reference(), null, null));

        settings.BootstrapServers.Should().Be("b1:9092,b2:9092");
        settings.GetProperty("linger.ms").Should().Be("3");
        settings.GetProperty("allow.auto.create.topics").Should().Be("false");
        settings.GetProperty("acks").Should().Be("all", "akka.kafka.producer's properties stay underneath");
    }

    [Fact]
    public void FromConfiguration_PascalCaseKeys_AreApplied()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pusher:Brokers:0"] = "b1:9092",
            ["Pusher:Brokers:1"] = "b2:9092",
            ["Pusher:Topic"] = "orders",
            ["Pusher:ChunkSize"] = "2048",
            ["Pusher:FlushInterval"] = "00:00:03",
            ["Pusher:AllowAutoTopicCreation"] = "true",
            ["Pusher:SyncPush"] = "true",
            ["Pusher:Balancer"] = "RoundRobin",
            ["Pusher:MaxPending"] = "5",
            ["Pusher:KafkaClients:linger.ms"] = "9",
        }).Build();

        var options = KafkaPusherOptions.FromConfiguration(configuration.GetSection("Pusher"));

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.Topic.Should().Be("orders");
        options.ChunkSize.Should().Be(2048);
        options.FlushInterval.Should().Be(TimeSpan.FromSeconds(3));
        options.AllowAutoTopicCreation.Should().BeTrue();
        options.SyncPush.Should().BeTrue();
        options.Balancer.Should().BeSameAs(Balancer.RoundRobin);
        options.MaxPending.Should().Be(5);
        options.KafkaClients.Should().Equal(new Dictionary<string, string> { ["linger.ms"] = "9" });
    }

    [Fact]
    public void FromConfiguration_HoconStyleKeysAndValues_AreApplied()
    {
        var configuration = new ConfigurationBuilder().AddHoconString(
            """
            pusher {
              brokers = "b1:9092, b2:9092"
              topic = audit
              chunk-size = 1M
              flush-interval = 500ms
              balancer = fnv1a
            }
            """).Build();

        var options = KafkaPusherOptions.FromConfiguration(configuration.GetSection("pusher"));

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.ChunkSize.Should().Be(1024 * 1024);
        options.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(500));
        options.Balancer.Should().BeSameAs(Balancer.Fnv1a);
    }

    [Fact]
    public void FromConfiguration_UnknownKeysAndWrongValues_AreAllListed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pusher:Topic"] = "orders",
            ["Pusher:ChunkSize"] = "big",
            ["Pusher:FlushInterval"] = "soon",
            ["Pusher:SyncPush"] = "maybe",
            ["Pusher:MaxPending"] = "many",
            ["Pusher:Balancer"] = "sticky",
            ["Pusher:Compression"] = "snappy",
        }).Build();

        var act = () => KafkaPusherOptions.FromConfiguration(configuration.GetSection("Pusher"));

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().HaveCount(6);
        problems.Should().Contain("Pusher.ChunkSize: must be a size in bytes such as 1048576 or 1M, but is \"big\"");
        problems.Should().Contain("Pusher.FlushInterval: must be a duration such as 00:00:01 or 500ms, but is \"soon\"");
        problems.Should().Contain("Pusher.SyncPush: must be true or false, but is \"maybe\"");
        problems.Should().Contain("Pusher.MaxPending: must be a whole number, but is \"many\"");
        problems.Should().Contain(p => p.StartsWith("Pusher.Balancer: Unknown balancer \"sticky\"", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Pusher.Compression: is not a pusher setting", StringComparison.Ordinal));
    }
}
