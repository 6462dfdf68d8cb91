using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>Each option of a queue, where it lands (consumer property, source, committer, stage) and each way it is refused.</summary>
public sealed class KafkaQueueOptionsTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(AkkaTestConfig.RealTime.WithFallback(PipelinesConfiguration.Reference()), nameof(KafkaQueueOptionsTests), output)
{
    [Fact]
    public void FromConfig_EveryKeySet_IsRead()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.queues.logins {
              brokers = ["b1:9092", "b2:9092"]
              group = audit
              topics = [logins, logouts]
              offset = first
              conns = 3
              consumers = 4
              processors = 16
              min-bytes = 1K
              max-bytes = 2M
              username = alice
              password = "s3cret"
              commit-interval = 250ms
              queue-capacity = 50
              max-wait = 20ms
              ordering = unordered
              retry = on
              kafka-clients { session.timeout.ms = 7000 }
            }
            """);

        var options = KafkaQueueOptions.FromConfig(config, "logins");

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.Group.Should().Be("audit");
        options.Topics.Should().Equal("logins", "logouts");
        options.Offset.Should().Be(KafkaQueueOffset.First);
        options.Conns.Should().Be(3);
        options.Consumers.Should().Be(4);
        options.Processors.Should().Be(16);
        options.MinBytes.Should().Be(1024);
        options.MaxBytes.Should().Be(2 * 1024 * 1024);
        options.Username.Should().Be("alice");
        options.Password.Should().Be("s3cret");
        options.CommitInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.QueueCapacity.Should().Be(50);
        options.MaxWait.Should().Be(TimeSpan.FromMilliseconds(20));
        options.Ordering.Should().Be(KafkaQueueOrdering.Unordered);
        options.Retry.Should().BeTrue();
        options.KafkaClients.Should().Equal(new Dictionary<string, string> { ["session.timeout.ms"] = "7000" });
    }

    [Fact]
    public void FromConfig_KeysNotSet_ComeFromQueueDefaults_GoQueuesDefaults()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.queue-defaults.processors = 32
            pipelines.queues.logins { group = audit, topic = logins }
            """);

        var options = KafkaQueueOptions.FromConfig(config, "logins");

        options.Topics.Should().Equal("logins");
        options.Processors.Should().Be(32, "the user's queue-defaults come before the reference");
        options.Offset.Should().Be(KafkaQueueOffset.Last);
        options.Conns.Should().Be(1);
        options.Consumers.Should().Be(8);
        options.MinBytes.Should().Be(10 * 1024);
        options.MaxBytes.Should().Be(10 * 1024 * 1024);
        options.CommitInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.QueueCapacity.Should().Be(1000);
        options.MaxWait.Should().Be(TimeSpan.FromSeconds(1));
        options.Ordering.Should().Be(KafkaQueueOrdering.PerKey);
        options.Retry.Should().BeFalse();
        options.Brokers.Should().BeEmpty();
        options.Username.Should().BeEmpty();
        options.KafkaClients.Should().BeEmpty();
    }

    [Fact]
    public void Defaults_InCode_AreTheReferenceConfigurationsDefaults()
    {
        var fromReference = KafkaQueueOptions.FromConfig(PipelinesConfiguration.ParseString("pipelines.queues.q { group = g, topic = t }"), "q");
        var inCode = new KafkaQueueOptions { Group = "g", Topics = ["t"] };

        inCode.ToString().Should().Be(fromReference.ToString());
    }

    [Fact]
    public void Apply_Brokers_AreTheBootstrapServers() =>
        Consumer(o => o.Brokers = ["b1:9092", "b2:9092"]).BootstrapServers.Should().Be("b1:9092,b2:9092");

    [Fact]
    public void Apply_NoBrokers_KeepsAkkaKafkaConsumersBootstrapServers()
    {
        var settings = Consumer(o => o.KafkaClients["bootstrap.servers"] = "c:9092", brokers: []);

        settings.BootstrapServers.Should().Be("c:9092");
    }

    [Fact]
    public void Apply_Group_IsTheGroupId() => Consumer(o => o.Group = "audit").GroupId.Should().Be("audit");

    [Theory]
    [InlineData(KafkaQueueOffset.First, "earliest")]
    [InlineData(KafkaQueueOffset.Last, "latest")]
    public void Apply_Offset_IsAutoOffsetReset(KafkaQueueOffset offset, string reset) =>
        Consumer(o => o.Offset = offset).GetProperty("auto.offset.reset").Should().Be(reset);

    [Fact]
    public void Apply_ConsumersTimesMaxBytes_IsQueuedMaxMessagesKbytes()
    {
        var settings = Consumer(o =>
        {
            o.Consumers = 3;
            o.MaxBytes = 2 * 1024 * 1024;
        });

        settings.GetProperty("queued.max.messages.kbytes").Should().Be("6144");
        settings.GetProperty("queued.min.messages").Should().BeNull("librdkafka's prefetch count stays its own");
    }

    [Fact]
    public void Apply_QueueCapacity_IsTheSourcesBufferSize() => Consumer(o => o.QueueCapacity = 70).BufferSize.Should().Be(70);

    [Fact]
    public void Apply_MinBytes_IsFetchMinBytes() => Consumer(o => o.MinBytes = 4096).GetProperty("fetch.min.bytes").Should().Be("4096");

    [Fact]
    public void Apply_MaxBytes_IsFetchMaxBytesAndMaxPartitionFetchBytes()
    {
        var settings = Consumer(o => o.MaxBytes = 2_000_000);

        settings.GetProperty("fetch.max.bytes").Should().Be("2000000");
        settings.GetProperty("max.partition.fetch.bytes").Should().Be("2000000");
    }

    [Fact]
    public void Apply_MaxWait_IsFetchWaitMaxMs() =>
        Consumer(o => o.MaxWait = TimeSpan.FromMilliseconds(250)).GetProperty("fetch.wait.max.ms").Should().Be("250");

    [Fact]
    public void Apply_UsernameAndPassword_AreSaslPlain()
    {
        var settings = Consumer(o =>
        {
            o.Username = "alice";
            o.Password = "s3cret";
        });

        settings.GetProperty("sasl.mechanisms").Should().Be("PLAIN");
        settings.GetProperty("sasl.username").Should().Be("alice");
        settings.GetProperty("sasl.password").Should().Be("s3cret");
        settings.GetProperty("security.protocol").Should().Be("SASL_PLAINTEXT");
    }

    [Fact]
    public void Apply_UsernameAndPasswordWithSaslSsl_KeepsTls()
    {
        var settings = Consumer(o =>
        {
            o.Username = "alice";
            o.Password = "s3cret";
            o.KafkaClients["security.protocol"] = "SASL_SSL";
        });

        settings.GetProperty("security.protocol").Should().Be("SASL_SSL");
    }

    [Fact]
    public void Apply_KafkaClients_ArePassedToTheConsumer()
    {
        var settings = Consumer(o => o.KafkaClients["session.timeout.ms"] = "7000");

        settings.GetProperty("session.timeout.ms").Should().Be("7000");
        settings.GetProperty("enable.auto.commit").Should().Be("false", "akka.kafka.consumer's properties stay underneath");
    }

    [Fact]
    public void Apply_CommitInterval_IsTheCommittersMaxInterval()
    {
        var queue = Queue(o => o.CommitInterval = TimeSpan.FromMilliseconds(300));

        queue.CommitterSettings.MaxInterval.Should().Be(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void ToString_RedactsThePassword()
    {
        var options = new KafkaQueueOptions { Group = "g", Topics = ["t"], Username = "alice", Password = "s3cret" };
        options.KafkaClients["ssl.key.password"] = "hidden";

        var text = options.ToString();

        text.Should().Contain("username=alice").And.Contain(SecretKeys.Redacted);
        text.Should().NotContain("s3cret").And.NotContain("hidden");
    }

    [Fact]
    public void FromConfig_UnknownKeyAndWrongValues_AreAllListed_WithFileLineColumn()
    {
        var config = PipelinesConfiguration.ParseString(
            """
            pipelines.queues.logins {
              group = audit
              topic = "bad topic"
              conns = 0
              consumers = 0
              processors = 0
              queue-capacity = 0
              min-bytes = 0
              max-bytes = 1K
              max-wait = 0s
              commit-interval = 0s
              offset = newest
              ordering = by-partition
              procesors = 8
            }
            """,
            "queues.hocon");

        var problems = Problems(() => KafkaQueueOptions.FromConfig(config, "logins"));

        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.procesors: is not a queue setting", StringComparison.Ordinal) && p.Contains("queues.hocon:14:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.topic: \"bad topic\" is not a topic name", StringComparison.Ordinal) && p.Contains("queues.hocon:3:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.conns: must be between 1 and 64", StringComparison.Ordinal) && p.Contains("queues.hocon:4:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.consumers: must be at least 1", StringComparison.Ordinal) && p.Contains("queues.hocon:5:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.processors: must be at least 1", StringComparison.Ordinal) && p.Contains("queues.hocon:6:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.queue-capacity: must be at least 1", StringComparison.Ordinal) && p.Contains("queues.hocon:7:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.min-bytes: must be between 1 byte", StringComparison.Ordinal) && p.Contains("queues.hocon:8:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.max-bytes: must be between message.max.bytes (1000000)", StringComparison.Ordinal) && p.Contains("queues.hocon:9:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.max-wait: must be between 1ms and 5m", StringComparison.Ordinal) && p.Contains("queues.hocon:10:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.commit-interval: must be greater than zero", StringComparison.Ordinal) && p.Contains("queues.hocon:11:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.offset: must be first or last, but is \"newest\"", StringComparison.Ordinal) && p.Contains("queues.hocon:12:", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.logins.ordering: must be per-key or unordered, but is \"by-partition\"", StringComparison.Ordinal) && p.Contains("queues.hocon:13:", StringComparison.Ordinal));
    }

    [Fact]
    public void FromConfig_NoSuchQueue_SaysWhereToAddIt() =>
        Problems(() => KafkaQueueOptions.FromConfig(PipelinesConfiguration.Reference(), "missing"))
            .Should().ContainSingle().Which.Should().Contain("no queue named \"missing\"").And.Contain("pipelines.queues.missing");

    [Fact]
    public void FromConfig_NoGroupNoTopic_AreRequired()
    {
        var problems = Problems(() => KafkaQueueOptions.FromConfig(PipelinesConfiguration.ParseString("pipelines.queues.q.processors = 4"), "q"));

        problems.Should().Contain(p => p.StartsWith("pipelines.queues.q.group: is required", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.queues.q.topic: is required", StringComparison.Ordinal));
    }

    [Fact]
    public void FromConfig_TopicAndTopics_AreRefusedTogether() =>
        Problems(() => KafkaQueueOptions.FromConfig(PipelinesConfiguration.ParseString("pipelines.queues.q { group = g, topic = a, topics = [b] }"), "q"))
            .Should().Contain(p => p.StartsWith("pipelines.queues.q.topics: and topic are both set", StringComparison.Ordinal));

    [Fact]
    public void Validate_TopicTwice_IsRefused() =>
        Problems(new KafkaQueueOptions { Group = "g", Topics = ["a", "a"] }.Validate).Should().Contain(p => p.Contains("topics: names a topic twice", StringComparison.Ordinal));

    [Fact]
    public void Validate_EmptyBroker_IsRefused() =>
        Problems(new KafkaQueueOptions { Group = "g", Topics = ["a"], Brokers = ["b:9092", " "] }.Validate).Should().Contain(p => p.Contains("brokers: must not contain empty entries", StringComparison.Ordinal));

    [Fact]
    public void Validate_ConsumersTimesMaxBytesOverLibrdkafkasLimit_IsRefused() =>
        Problems(new KafkaQueueOptions { Group = "g", Topics = ["a"], Consumers = 300, MaxBytes = 10 * 1024 * 1024 }.Validate)
            .Should().Contain(p => p.Contains("consumers: × max-bytes is what librdkafka may hold fetched (queued.max.messages.kbytes), at most 2,097,151 KiB", StringComparison.Ordinal));

    [Fact]
    public void Validate_MaxBytesBelowMinBytes_IsRefused() =>
        Problems(new KafkaQueueOptions { Group = "g", Topics = ["a"], MinBytes = 50_000_000, MaxBytes = 20_000_000 }.Validate)
            .Should().Contain(p => p.Contains("max-bytes: must be at least min-bytes (50000000)", StringComparison.Ordinal));

    [Fact]
    public void Validate_MaxBytesBelowMessageMaxBytesFromKafkaClients_IsRefused()
    {
        var options = new KafkaQueueOptions { Group = "g", Topics = ["a"], MaxBytes = 2_000_000 };
        options.KafkaClients["message.max.bytes"] = "3000000";

        Problems(options.Validate).Should().Contain(p => p.Contains("max-bytes: must be between message.max.bytes (3000000)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("alice", "")]
    [InlineData("", "s3cret")]
    public void Validate_UsernameWithoutPasswordOrTheOtherWay_IsRefused(string username, string password) =>
        Problems(new KafkaQueueOptions { Group = "g", Topics = ["a"], Username = username, Password = password }.Validate)
            .Should().Contain(p => p.Contains("username and password go together (SASL PLAIN)", StringComparison.Ordinal));

    [Fact]
    public void Validate_UsernameWithPlaintextProtocol_IsRefused()
    {
        var options = new KafkaQueueOptions { Group = "g", Topics = ["a"], Username = "alice", Password = "p" };
        options.KafkaClients["security.protocol"] = "PLAINTEXT";

        Problems(options.Validate).Should().Contain(p => p.Contains("security.protocol must be SASL_PLAINTEXT or SASL_SSL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("group.id", "group")]
    [InlineData("auto.offset.reset", "offset")]
    [InlineData("fetch.min.bytes", "min-bytes")]
    [InlineData("fetch.max.bytes", "max-bytes")]
    [InlineData("max.partition.fetch.bytes", "max-bytes")]
    [InlineData("fetch.wait.max.ms", "max-wait")]
    [InlineData("queued.max.messages.kbytes", "consumers and max-bytes")]
    [InlineData("sasl.username", "username")]
    [InlineData("sasl.password", "password")]
    [InlineData("sasl.mechanisms", "username and password")]
    [InlineData("enable.auto.commit", "the queue")]
    public void Validate_ClientPropertyAnOptionDecides_IsRefused(string property, string option)
    {
        var options = new KafkaQueueOptions { Group = "g", Topics = ["a"] };
        options.KafkaClients[property] = "1";

        Problems(options.Validate).Should().Contain(p => p.Contains($"kafka-clients: {property} is decided by {option}", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BootstrapServersBesideBrokers_IsRefused()
    {
        var options = new KafkaQueueOptions { Group = "g", Topics = ["a"], Brokers = ["b:9092"] };
        options.KafkaClients["bootstrap.servers"] = "c:9092";

        Problems(options.Validate).Should().Contain(p => p.Contains("bootstrap.servers and brokers are both set", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_BadOptions_AreRefusedBeforeAnythingRuns() =>
        FluentActions.Invoking(() => new KafkaQueue(Sys, new KafkaQueueOptions { Topics = ["a"] }, new NoHandler()))
            .Should().Throw<SettingsException>().Which.Problems.Should().Contain(p => p.Contains("group: is required", StringComparison.Ordinal));

    [Fact]
    public void FromConfiguration_PascalCaseKeys_AreApplied()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kq:Brokers:0"] = "b1:9092",
            ["Kq:Group"] = "audit",
            ["Kq:Topic"] = "logins",
            ["Kq:Offset"] = "first",
            ["Kq:Conns"] = "2",
            ["Kq:Consumers"] = "3",
            ["Kq:Processors"] = "4",
            ["Kq:MinBytes"] = "2048",
            ["Kq:MaxBytes"] = "5M",
            ["Kq:Username"] = "alice",
            ["Kq:Password"] = "p",
            ["Kq:CommitInterval"] = "00:00:02",
            ["Kq:QueueCapacity"] = "10",
            ["Kq:MaxWait"] = "100ms",
            ["Kq:Ordering"] = "Unordered",
            ["Kq:Retry"] = "true",
            ["Kq:KafkaClients:session.timeout.ms"] = "8000",
        }).Build();

        var options = KafkaQueueOptions.FromConfiguration(configuration.GetSection("Kq"));

        options.Brokers.Should().Equal("b1:9092");
        options.Group.Should().Be("audit");
        options.Topics.Should().Equal("logins");
        options.Offset.Should().Be(KafkaQueueOffset.First);
        options.Conns.Should().Be(2);
        options.Consumers.Should().Be(3);
        options.Processors.Should().Be(4);
        options.MinBytes.Should().Be(2048);
        options.MaxBytes.Should().Be(5 * 1024 * 1024);
        options.Username.Should().Be("alice");
        options.Password.Should().Be("p");
        options.CommitInterval.Should().Be(TimeSpan.FromSeconds(2));
        options.QueueCapacity.Should().Be(10);
        options.MaxWait.Should().Be(TimeSpan.FromMilliseconds(100));
        options.Ordering.Should().Be(KafkaQueueOrdering.Unordered);
        options.Retry.Should().BeTrue();
        options.KafkaClients.Should().Equal(new Dictionary<string, string> { ["session.timeout.ms"] = "8000" });
    }

    [Fact]
    public void FromConfiguration_HoconStyleKeys_AreApplied()
    {
        var configuration = new ConfigurationBuilder().AddHoconString(
            """
            kq {
              group = audit
              topics = "logins, logouts"
              queue-capacity = 20
              ordering = per-key
            }
            """).Build();

        var options = KafkaQueueOptions.FromConfiguration(configuration.GetSection("kq"));

        options.Topics.Should().Equal("logins", "logouts");
        options.QueueCapacity.Should().Be(20);
        options.Ordering.Should().Be(KafkaQueueOrdering.PerKey);
    }

    [Fact]
    public void FromConfiguration_UnknownKeysAndWrongValues_AreAllListed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kq:Group"] = "audit",
            ["Kq:Topic"] = "logins",
            ["Kq:Conns"] = "many",
            ["Kq:MinBytes"] = "big",
            ["Kq:MaxWait"] = "soon",
            ["Kq:Offset"] = "newest",
            ["Kq:Ordering"] = "sorted",
            ["Kq:Retry"] = "maybe",
            ["Kq:Compression"] = "snappy",
        }).Build();

        var problems = Problems(() => KafkaQueueOptions.FromConfiguration(configuration.GetSection("Kq")));

        problems.Should().HaveCount(7);
        problems.Should().Contain("Kq.Conns: must be a whole number, but is \"many\"");
        problems.Should().Contain("Kq.MinBytes: must be a size in bytes such as 10240 or 10K, but is \"big\"");
        problems.Should().Contain("Kq.MaxWait: must be a duration such as 00:00:01 or 500ms, but is \"soon\"");
        problems.Should().Contain("Kq.Offset: must be first or last, but is \"newest\"");
        problems.Should().Contain("Kq.Ordering: must be per-key or unordered, but is \"sorted\"");
        problems.Should().Contain("Kq.Retry: must be true or false, but is \"maybe\"");
        problems.Should().Contain(p => p.StartsWith("Kq.Compression: is not a queue setting", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Problems(Action act) =>
        act.Should().Throw<SettingsException>().Which.Problems;

    private static IReadOnlyList<string> Problems(Func<KafkaQueueOptions> act) =>
        act.Should().Throw<SettingsException>().Which.Problems;

    private Pipelines.Kafka.ConsumerSettings<byte[], byte[]> Consumer(Action<KafkaQueueOptions> change, IList<string>? brokers = null) =>
        Queue(change, brokers).ConsumerSettings;

    private KafkaQueue Queue(Action<KafkaQueueOptions> change, IList<string>? brokers = null)
    {
        var options = new KafkaQueueOptions { Brokers = brokers ?? ["b:9092"], Group = "g", Topics = ["t"] };
        change(options);
        return new KafkaQueue(Sys, options, new NoHandler());
    }

    private sealed class NoHandler : IConsumeHandler
    {
        public Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
