using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests.Kafka;

public sealed class ConsumerSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-settings-").FullName;

    [Fact]
    public void Create_FromReference_HasTheAkkaDefaults()
    {
        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null);

        settings.PollInterval.Should().Be(TimeSpan.FromMilliseconds(50));
        settings.PollTimeout.Should().Be(TimeSpan.FromMilliseconds(50));
        settings.StopTimeout.Should().Be(TimeSpan.FromSeconds(30));
        settings.CloseTimeout.Should().Be(TimeSpan.FromSeconds(20));
        settings.CommitTimeout.Should().Be(TimeSpan.FromSeconds(15));
        settings.CommitTimeWarning.Should().Be(TimeSpan.FromSeconds(1));
        settings.PartitionHandlerWarning.Should().Be(TimeSpan.FromSeconds(5));
        settings.BufferSize.Should().Be(128);
        settings.MaxPollRecords.Should().Be(500);
        settings.Properties.Should().Equal(new Dictionary<string, string>
        {
            ["enable.auto.commit"] = "false",
            ["partition.assignment.strategy"] = "cooperative-sticky",
        });
        settings.BootstrapServers.Should().BeNull();
        settings.KeyDeserializer.Should().BeSameAs(Deserializers.Utf8);
        settings.ValueDeserializer.Should().BeSameAs(Deserializers.Utf8);
    }

    [Fact]
    public void Create_FromDefaultFileWithoutBootstrapVariable_LeavesBootstrapServersUnset()
    {
        var config = PipelinesConfiguration.Load(null, _ => null);

        var consumer = ConsumerSettings<Ignore, byte[]>.Create(config, null, null);

        consumer.BootstrapServers.Should().BeNull("an unset ${?KAFKA_BOOTSTRAP_SERVERS} leaves the key absent, so the embedded cluster is used");
        consumer.Properties.Should().NotContainKey("bootstrap.servers");
        consumer.KeyDeserializer.Should().BeSameAs(Deserializers.Ignore);
    }

    [Fact]
    public void Create_FromDefaultFileWithBootstrapVariable_UsesTheVariable()
    {
        var config = PipelinesConfiguration.Load(null, name => name == "KAFKA_BOOTSTRAP_SERVERS" ? "broker-1:9092,broker-2:9092" : null);

        var consumer = ConsumerSettings<string, string>.Create(config, null, null);
        var producer = ProducerSettings<string, string>.Create(config, null, null);

        consumer.BootstrapServers.Should().Be("broker-1:9092,broker-2:9092");
        producer.BootstrapServers.Should().Be("broker-1:9092,broker-2:9092");
        consumer.CreateConsumerConfig().BootstrapServers.Should().Be("broker-1:9092,broker-2:9092");
    }

    [Fact]
    public void Create_FromUserFile_OverridesTheReference()
    {
        var file = Write("""
            akka.kafka.consumer {
              poll-interval = 200ms
              stop-timeout = 1 minute
              buffer-size = 64
              kafka-clients {
                group.id = orders
                "client.id" = orders-1
                fetch.min.bytes = 1024
                enable.auto.commit = null
              }
            }
            """);

        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Load(file, _ => null), null, null);

        settings.PollInterval.Should().Be(TimeSpan.FromMilliseconds(200));
        settings.StopTimeout.Should().Be(TimeSpan.FromMinutes(1));
        settings.BufferSize.Should().Be(64);
        settings.PollTimeout.Should().Be(TimeSpan.FromMilliseconds(50), "keys the user file does not set come from the reference");
        settings.GroupId.Should().Be("orders");
        settings.ClientId.Should().Be("orders-1");
        settings.Properties.Should().Equal(new Dictionary<string, string>
        {
            ["client.id"] = "orders-1",
            ["fetch.min.bytes"] = "1024",
            ["group.id"] = "orders",
            ["partition.assignment.strategy"] = "cooperative-sticky",
        });
    }

    [Fact]
    public void Create_WithEnvironmentOverrideInUserFile_ReadsTheProcessEnvironment()
    {
        var variable = "PIPELINES_TEST_GROUP_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-environment");
        try
        {
            var file = Write($$"""
                akka.kafka.consumer.kafka-clients {
                  group.id = default-group
                  group.id = ${?{{variable}}}
                  client.id = ${?{{variable}}_UNSET}
                }
                """);

            var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Load(file), null, null);

            settings.GroupId.Should().Be("from-environment");
            settings.ClientId.Should().BeNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Create_WithSeveralInvalidKeys_ReportsEveryProblemWithItsKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            akka.kafka.consumer {
              poll-interval = -1s
              commit-timeout = fast
              buffer-size = 0
              max-poll-records = many
              kafka-clients = 5
            }
            """, "user.conf");

        var act = () => ConsumerSettings<string, string>.Create(config, null, null);

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().HaveCount(5);
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.poll-interval: must be greater than zero", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.commit-timeout: must be a duration", StringComparison.Ordinal) && p.Contains("user.conf:3:20", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.buffer-size: must be at least 1", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.max-poll-records: must be a whole number", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients: must be an object", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_FromTheSectionItself_ReadsItLikeAkka()
    {
        var full = PipelinesConfiguration.ParseString("akka.kafka.consumer { poll-interval = 5ms, kafka-clients.group.id = g }");

        var settings = ConsumerSettings<string, string>.Create(full.GetConfig("akka.kafka.consumer"), null, null);

        settings.PollInterval.Should().Be(TimeSpan.FromMilliseconds(5));
        settings.GroupId.Should().Be("g");
        settings.PollTimeout.Should().Be(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Create_CustomTypeWithoutDeserializer_ReportsTheMissingDeserializer()
    {
        var act = () => ConsumerSettings<Guid, string>.Create(PipelinesConfiguration.Reference(), null, null);

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle()
            .Which.Should().StartWith("akka.kafka.consumer.key-deserializer: no deserializer was given for key type Guid");
    }

    [Fact]
    public void Create_WithoutConfig_ReadsTheDefaultFileOverTheReference()
    {
        var settings = ConsumerSettings<string, string>.Create(null, null);

        settings.PollInterval.Should().Be(PipelinesConfiguration.Load().GetTimeSpan("akka.kafka.consumer.poll-interval"));
    }

    [Fact]
    public void WithMethods_ReturnCopies_AndLeaveTheOriginalUnchanged()
    {
        var original = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null);

        var changed = original
            .WithBootstrapServers("localhost:9092")
            .WithGroupId("group")
            .WithClientId("client")
            .WithProperty("auto.offset.reset", "earliest")
            .WithProperties([new("session.timeout.ms", "6000")])
            .WithPollInterval(TimeSpan.FromMilliseconds(10))
            .WithPollTimeout(TimeSpan.FromMilliseconds(5))
            .WithStopTimeout(TimeSpan.FromSeconds(1))
            .WithCloseTimeout(TimeSpan.FromSeconds(2))
            .WithCommitTimeout(TimeSpan.FromSeconds(3))
            .WithCommitTimeWarning(TimeSpan.FromSeconds(4))
            .WithPartitionHandlerWarning(TimeSpan.FromSeconds(6))
            .WithBufferSize(7)
            .WithMaxPollRecords(8);

        changed.Should().NotBeSameAs(original);
        original.BootstrapServers.Should().BeNull();
        original.PollInterval.Should().Be(TimeSpan.FromMilliseconds(50));
        changed.BootstrapServers.Should().Be("localhost:9092");
        changed.GroupId.Should().Be("group");
        changed.ClientId.Should().Be("client");
        changed.GetProperty("auto.offset.reset").Should().Be("earliest");
        changed.GetProperty("session.timeout.ms").Should().Be("6000");
        changed.PollInterval.Should().Be(TimeSpan.FromMilliseconds(10));
        changed.PollTimeout.Should().Be(TimeSpan.FromMilliseconds(5));
        changed.StopTimeout.Should().Be(TimeSpan.FromSeconds(1));
        changed.CloseTimeout.Should().Be(TimeSpan.FromSeconds(2));
        changed.CommitTimeout.Should().Be(TimeSpan.FromSeconds(3));
        changed.CommitTimeWarning.Should().Be(TimeSpan.FromSeconds(4));
        changed.PartitionHandlerWarning.Should().Be(TimeSpan.FromSeconds(6));
        changed.BufferSize.Should().Be(7);
        changed.MaxPollRecords.Should().Be(8);
    }

    [Fact]
    public void WithPollInterval_Zero_ThrowsNamingTheKey()
    {
        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null);

        var act = () => settings.WithPollInterval(TimeSpan.Zero);

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle()
            .Which.Should().Be("akka.kafka.consumer.poll-interval: must be greater than zero, but is 00:00:00");
    }

    [Fact]
    public void CreateConsumerConfig_CarriesEveryProperty()
    {
        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers("localhost:1")
            .WithGroupId("g");

        var config = settings.CreateConsumerConfig();

        config.BootstrapServers.Should().Be("localhost:1");
        config.GroupId.Should().Be("g");
        config.EnableAutoCommit.Should().BeFalse();
    }

    [Fact]
    public void Create_KafkaClientsWithListAndDottedKeys_FlattensToLibrdkafkaNames()
    {
        var config = PipelinesConfiguration.ParseString("""akka.kafka.consumer.kafka-clients { bootstrap.servers = ["a:1", "b:2"], "sasl.mechanism" = PLAIN, socket.keepalive.enable = true }""");

        var settings = ConsumerSettings<string, string>.Create(config, null, null);

        settings.BootstrapServers.Should().Be("a:1,b:2");
        settings.GetProperty("sasl.mechanism").Should().Be("PLAIN");
        settings.GetProperty("socket.keepalive.enable").Should().Be("true");
    }

    [Fact]
    public void ToString_ListsEverySettingAndRedactsSecretProperties()
    {
        var config = PipelinesConfiguration.ParseString("""
            akka.kafka.consumer {
              poll-interval = 75ms
              kafka-clients {
                bootstrap.servers = "broker:9092"
                group.id = orders
                sasl.mechanism = PLAIN
                sasl.password = hunter2
                "ssl.key.password" = hunter3
              }
            }
            """);
        var settings = ConsumerSettings<string, byte[]>.Create(config, null, null)
            .WithProperty("sasl.oauthbearer.client.secret", "hunter4");

        var text = settings.ToString();

        text.Should().NotContain("hunter");
        text.Should().Be(
            "ConsumerSettings<String, Byte[]>(key-deserializer=Utf8Deserializer, value-deserializer=ByteArrayDeserializer, "
            + "poll-interval=00:00:00.0750000, poll-timeout=00:00:00.0500000, stop-timeout=00:00:30, close-timeout=00:00:20, "
            + "commit-timeout=00:00:15, commit-time-warning=00:00:01, partition-handler-warning=00:00:05, buffer-size=128, "
            + "max-poll-records=500, kafka-clients={bootstrap.servers=broker:9092, enable.auto.commit=false, group.id=orders, partition.assignment.strategy=cooperative-sticky, "
            + "sasl.mechanism=PLAIN, sasl.oauthbearer.client.secret=<redacted>, sasl.password=<redacted>, ssl.key.password=<redacted>})");
        settings.GetProperty("sasl.password").Should().Be("hunter2", "only the text is redacted, librdkafka gets the value");
    }

    [Fact]
    public void Create_InvalidSecretProperty_ReportsTheKeyWithoutTheValue()
    {
        var config = PipelinesConfiguration.ParseString("akka.kafka.consumer.kafka-clients.sasl.password = [hunter2, { nested = hunter2 }]", "user.conf");

        var act = () => ConsumerSettings<string, string>.Create(config, null, null);

        var error = act.Should().Throw<SettingsException>().Which;
        error.Message.Should().NotContain("hunter2");
        error.Problems.Should().ContainSingle().Which.Should().StartWith(
            "akka.kafka.consumer.kafka-clients: 'sasl.password' must be a string, number, boolean or list of them (user.conf:1:");
    }

    [Fact]
    public void Create_WithConsumerGroupProtocol_LeavesTheReferenceAssignmentStrategyOutSoLibrdkafkaAcceptsIt()
    {
        var config = PipelinesConfiguration.ParseString("akka.kafka.consumer.kafka-clients { group.protocol = consumer, group.id = g, bootstrap.servers = \"localhost:1\" }");

        var settings = ConsumerSettings<string, string>.Create(config, null, null);

        settings.Properties.Should().NotContainKey("partition.assignment.strategy");
        settings.GetProperty("partition.assignment.strategy").Should().BeNull();
        settings.ToString().Should().NotContain("partition.assignment.strategy");
        var consumerConfig = settings.CreateConsumerConfig();
        consumerConfig.PartitionAssignmentStrategy.Should().BeNull();
        consumerConfig.GroupProtocol.Should().Be(GroupProtocol.Consumer);
        consumerConfig.EnableAutoCommit.Should().BeFalse("the other reference properties are still sent");
        using var consumer = new ConsumerBuilder<string, string>(consumerConfig).Build();
        consumer.Name.Should().NotBeNullOrEmpty();

        // What the client would say had the reference's strategy been sent along.
        consumerConfig.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        var refused = () => new ConsumerBuilder<string, string>(consumerConfig).Build();
        refused.Should().Throw<InvalidOperationException>().WithMessage("*partition.assignment.strategy*group.protocol=consumer*");
    }

    [Fact]
    public void Create_WithConsumerGroupProtocolAndClassicOnlyProperties_ReportsEachWithWhatReplacesIt()
    {
        var config = PipelinesConfiguration.ParseString("""
            akka.kafka.consumer.kafka-clients {
              group.protocol = consumer
              partition.assignment.strategy = "range,roundrobin"
              session.timeout.ms = 6000
              heartbeat.interval.ms = 500
              # Quoted: unquoted, it would turn group.protocol into an object.
              "group.protocol.type" = consumer
            }
            """);

        var act = () => ConsumerSettings<string, string>.Create(config, null, null);

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().HaveCount(4);
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients.partition.assignment.strategy: is not supported with group.protocol = consumer", StringComparison.Ordinal)
            && p.Contains("group.remote.assignor", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients.session.timeout.ms: is not supported with group.protocol = consumer", StringComparison.Ordinal)
            && p.Contains("group.consumer.session.timeout.ms", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients.heartbeat.interval.ms: is not supported with group.protocol = consumer", StringComparison.Ordinal)
            && p.Contains("group.consumer.heartbeat.interval.ms", StringComparison.Ordinal));
        problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients.group.protocol.type: is not supported with group.protocol = consumer", StringComparison.Ordinal));
    }

    [Fact]
    public void WithProperty_ConsumerGroupProtocolOverAClassicSessionTimeout_ThrowsNamingTheKey()
    {
        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithProperty("session.timeout.ms", "6000");

        var act = () => settings.WithProperty("group.protocol", "CONSUMER");

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle()
            .Which.Should().StartWith("akka.kafka.consumer.kafka-clients.session.timeout.ms: is not supported with group.protocol = consumer");
    }

    [Fact]
    public void WithProperty_BackToTheClassicProtocol_SendsTheReferenceAssignmentStrategyAgain()
    {
        var consumerProtocol = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithProperty("group.protocol", "consumer");

        var classic = consumerProtocol.WithProperty("group.protocol", "classic");

        consumerProtocol.Properties.Should().NotContainKey("partition.assignment.strategy");
        classic.Properties.Should().Contain("partition.assignment.strategy", "cooperative-sticky");
        classic.CreateConsumerConfig().PartitionAssignmentStrategy.Should().Be(PartitionAssignmentStrategy.CooperativeSticky);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "user.conf");
        File.WriteAllText(path, text);
        return path;
    }

}
