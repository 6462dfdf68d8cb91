using System.Text.RegularExpressions;

namespace Pipelines.Kafka.Tests.Host;

[Collection(HostCommandsCollection.Name)]
public sealed class TopicsCommandTests(BrokerProcessFixture broker)
{
    [Fact]
    public async Task Create_ThenDescribeAndList_ShowTheTopicWithItsPartitions()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        var created = await broker.RunAsync("topics", "create", topic, "--partitions", "3", "--replication-factor", "1");

        created.ShouldSucceed().Output.Should().BeEmpty("a creation prints no data");
        created.Error.Should().Contain($"Created topic {topic} with 3 partition(s)");

        var described = (await broker.RunAsync("topics", "describe", topic)).ShouldSucceed();
        described.Lines[0].Should().MatchRegex($@"^topic={topic} partitions=3 replication-factor=[12]$");
        described.Lines.Skip(1).Select(l => Regex.Match(l, @"^partition=(\d) leader=[12] replicas=[12,]+ isr=[12,]+ low-watermark=0 high-watermark=0$").Groups[1].Value)
            .Should().Equal("0", "1", "2");

        var listed = (await broker.RunAsync("topics", "list")).ShouldSucceed();
        listed.Lines.Should().Contain(topic).And.BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Describe_AfterProducing_ShowsEachPartitionsHighWatermark()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);
        (await broker.RunAsync("produce", topic, "--partition", "1", "--value", "a", "--value", "b", "--value", "c")).ShouldSucceed();

        var described = (await broker.RunAsync("topics", "describe", topic)).ShouldSucceed();

        described.Lines.Should().HaveCount(3);
        described.Lines[1].Should().StartWith("partition=0 ").And.EndWith(" low-watermark=0 high-watermark=0");
        described.Lines[2].Should().StartWith("partition=1 ").And.EndWith(" low-watermark=0 high-watermark=3");
    }

    [Fact]
    public async Task Create_ExistingTopic_FailsUnlessIfNotExistsAndNeverChangesIt()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);

        (await broker.RunAsync("topics", "create", topic, "--partitions", "5"))
            .ShouldFailWith($"topic \"{topic}\" already exists with 2 partition(s)");
        var accepted = await broker.RunAsync("topics", "create", topic, "--partitions", "5", "--if-not-exists");

        accepted.ShouldSucceed().Output.Should().BeEmpty();
        accepted.Error.Should().Contain("already exists with 2 partition(s)").And.Contain("nothing was changed");
        (await broker.RunAsync("topics", "describe", topic)).ShouldSucceed().Lines[0].Should().Contain("partitions=2");
    }

    [Fact]
    public async Task Create_WithTopicConfigsOnTheEmbeddedCluster_FailsSayingItKeepsNoConfigs()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("topics", "create", topic, "--config", "cleanup.policy=compact"))
            .ShouldFailWith("is an embedded cluster, which keeps no topic configs");
        (await broker.RunAsync("topics", "describe", topic)).ShouldFailWith($"topic \"{topic}\" does not exist");
    }

    [Fact]
    public async Task Create_ReplicationFactorAboveTheBrokerCount_FailsWithTheClustersReason()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("topics", "create", topic, "--replication-factor", "3"))
            .ShouldFailWith($"creating topic \"{topic}\" failed");
    }

    [Fact]
    public async Task Describe_UnknownTopic_FailsNamingItAndHowToCreateIt()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("topics", "describe", topic)).ShouldFailWith($"topic \"{topic}\" does not exist on the cluster at {broker.BootstrapServers}; create it with: pipelines topics create {topic}");
    }

    [Theory]
    [InlineData("create t --partitions 0", "--partitions must be at least 1; 0 was given.")]
    [InlineData("create t --partitions -2", "--partitions must be at least 1; -2 was given.")]
    [InlineData("create t --replication-factor 0", "--replication-factor must be at least 1, or -1 for the cluster's default; 0 was given.")]
    [InlineData("create t --config retention.ms", "malformed --config \"retention.ms\": expected key=value")]
    [InlineData("describe orders/eu", "invalid topic name \"orders/eu\": it contains '/'")]
    [InlineData("list --timeout 5", "--timeout 5: give a unit, e.g. 5s or 5ms.")]
    [InlineData("list --timeout soon", "--timeout \"soon\": expected a duration")]
    [InlineData("describe", "Required argument missing for command: 'describe'.")]
    public async Task Topics_BadInput_FailsWithOneLineSayingWhatIsWrong(string arguments, string expected)
    {
        (await broker.RunAsync(["topics", .. arguments.Split(' ')])).ShouldFailWith(expected);
    }

    [Fact]
    public async Task List_BrokersUnreachable_FailsWithinTheTimeoutNamingTheAddress()
    {
        var result = await broker.RunAsync("topics", "list", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2s");

        result.ShouldFailWith("the Kafka cluster at 127.0.0.1:1 did not answer within 2s");
        result.Error.Should().Contain("Connection refused");
    }

    [Fact]
    public async Task List_Verbose_AlsoPrintsTheClientsOwnLinesBeforeTheError()
    {
        var result = await broker.RunAsync("topics", "list", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2s", "--verbose");

        result.ExitCode.Should().NotBe(0);
        result.Output.Should().BeEmpty();
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.SkipLast(1).Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith("[kafka", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("Connection refused", StringComparison.Ordinal));
        lines[^1].Should().StartWith("error: the Kafka cluster at 127.0.0.1:1 did not answer within 2s");
    }

    [Fact]
    public async Task List_NoBootstrapServersAnywhere_SaysSoAndStartsNoCluster()
    {
        var result = await BrokerProcessFixture.RunAsync(new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = null }, "topics", "list");

        result.ShouldFailWith("no Kafka cluster is configured: pass --bootstrap-servers host:port, set KAFKA_BOOTSTRAP_SERVERS, or set akka.kafka.consumer.kafka-clients.bootstrap.servers");
    }

    [Fact]
    public async Task List_BootstrapServersOption_WinsOverTheEnvironment()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);
        var environment = new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1" };

        var result = await BrokerProcessFixture.RunAsync(environment, "topics", "list", "--bootstrap-servers", broker.BootstrapServers);

        result.ShouldSucceed().Lines.Should().Contain(topic);
    }

    [Fact]
    public async Task List_ConfigFile_SuppliesTheBootstrapServers()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);
        var file = Path.Combine(Path.GetTempPath(), $"pipelines-{Guid.NewGuid():N}.hocon");
        await File.WriteAllTextAsync(file, $"akka.kafka.consumer.kafka-clients.bootstrap.servers = \"{broker.BootstrapServers}\"\n");
        try
        {
            var result = await BrokerProcessFixture.RunAsync(
                new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = null }, "topics", "list", "--config-file", file);

            result.ShouldSucceed().Lines.Should().Contain(topic);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
