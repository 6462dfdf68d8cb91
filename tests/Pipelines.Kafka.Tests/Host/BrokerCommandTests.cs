using Confluent.Kafka;

namespace Pipelines.Kafka.Tests.Host;

public sealed class BrokerCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string?> NoBrokersConfigured = new() { ["KAFKA_BOOTSTRAP_SERVERS"] = null };

    [Fact]
    public async Task Broker_ChildProcess_ServesClientsAndStopsCleanlyOnSigterm()
    {
        var bootstrapFile = Path.Combine(Path.GetTempPath(), $"pipelines-bootstrap-{Guid.NewGuid():N}.txt");
        await using var host = HostProcess.Start(
            NoBrokersConfigured, "broker", "--brokers", "2", "--topic", "orders:3", "--topic", "audit", "--bootstrap-file", bootstrapFile);

        var bootstrap = await host.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        bootstrap.Should().MatchRegex(@"^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$", host.StandardError);
        (await File.ReadAllTextAsync(bootstrapFile)).Trim().Should().Be(bootstrap);

        var partitions = Metadata(bootstrap!).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);
        partitions.Should().Contain("orders", 3).And.Contain("audit", 1);
        var (value, offset) = await Task.Run(() => RoundTrip(bootstrap!, "orders"));
        value.Should().Be("hello through a separate process");
        offset.Should().Be(0);

        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        host.StandardError.Should().Contain("Embedded Kafka cluster stopped.");
        File.Exists(bootstrapFile).Should().BeFalse("the addresses are dead once the cluster stops");
    }

    [Fact]
    public async Task NoCommand_NoBootstrapServers_RunsAnEmbeddedBrokerUntilSigterm()
    {
        await using var host = HostProcess.Start(NoBrokersConfigured);

        var bootstrap = await host.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        bootstrap!.Split(',').Should().HaveCount(3).And.OnlyContain(a => a.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        Metadata(bootstrap).Brokers.Should().HaveCount(3);

        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        host.StandardError.Should().Contain($"export KAFKA_BOOTSTRAP_SERVERS={bootstrap}");
    }

    [Fact]
    public async Task NoCommand_BootstrapServersSet_SaysWhichClusterAndThatNoPipelinesAreConfigured()
    {
        var environment = new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = "kafka-1:9092,kafka-2:9092" };

        // A configuration without the example topology's sections (config/akka.hocon has them).
        var noPipelines = Path.Combine(Path.GetTempPath(), $"pipelines-no-pipelines-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(noPipelines, "akka.loglevel = INFO\n");
        var (exitCode, output, error) = await HostProcess.RunAsync(environment, Patience, "--config-file", noPipelines);

        exitCode.Should().Be(0, error);
        output.Should().BeEmpty();
        error.Should().Contain("KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092,kafka-2:9092").And.Contain("No pipelines are configured");
    }

    [Fact]
    public async Task NoCommand_ClusterUnreachable_FailsSayingTheTopicsCouldNotBeCreated()
    {
        var environment = new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1" };
        var config = Path.Combine(Path.GetTempPath(), $"pipelines-unreachable-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, $"include \"{Path.Combine(AppContext.BaseDirectory, "config", "akka.hocon")}\"\npipelines.main-job.admin-timeout = 2s\n");

        var (exitCode, output, error) = await HostProcess.RunAsync(environment, Patience, "--config-file", config);

        exitCode.Should().Be(1, error);
        output.Should().BeEmpty();
        error.Should().Contain("error: creating the topology's topics on 127.0.0.1:1 failed");
    }

    [Theory]
    [InlineData("--brokers 0", "--brokers must be 1 to 100; 0 was given.")]
    [InlineData("--topic orders:none", "the partition count \"none\" is not a whole number of at least 1")]
    [InlineData("--topic orders/eu:3", "invalid topic name \"orders/eu\": it contains '/'")]
    [InlineData("--brokers 1 --topic orders:1:2", "replication factor 2, but the cluster has 1 broker(s)")]
    public async Task Broker_InvalidArguments_ExitsNonZeroSayingWhatIsWrong(string arguments, string expected)
    {
        var (exitCode, _, error) = await HostProcess.RunAsync(NoBrokersConfigured, Patience, ["broker", .. arguments.Split(' ')]);

        exitCode.Should().NotBe(0);
        error.Should().Contain(expected);
    }

    private static Metadata Metadata(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10));
    }

    private static (string Value, long Offset) RoundTrip(string bootstrap, string topic)
    {
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            producer.Produce(new TopicPartition(topic, 1), new Message<Null, string> { Value = "hello through a separate process" });
            producer.Flush(Patience).Should().Be(0, "the message is delivered");
        }

        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "round-trip" }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 1, Offset.Beginning));
        using var timeout = new CancellationTokenSource(Patience);
        var result = consumer.Consume(timeout.Token);
        return (result.Message.Value, result.Offset.Value);
    }
}
