using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>
/// Deliveries against an embedded cluster with injected request errors. The errors are cluster-wide, so this class has a
/// cluster of its own, and every test here leaves no record in flight behind that could take a later test's injected error.
/// </summary>
public sealed class ProducerFaultTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;
    private readonly IMaterializer _materializer;

    public ProducerFaultTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ProducerFaultTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    protected override void AfterAll()
    {
        _fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);
        base.AfterAll();
    }

    [Fact]
    public async Task PlainSink_BrokerRefusesTheWrite_FailsWithErrorNamingTopicPartitionAndReason()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers);
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);

        var run = Source.From(new[] { new ProducerRecord<string, string>(topic, "k", "v") })
            .RunWith(KafkaProducer.PlainSink(settings), _materializer);

        var failure = (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        failure.Error.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        failure.Partition.Value.Should().Be(0);
        failure.Message.Should().Contain($"topic \"{topic}\" partition 0").And.Contain("WRITE");
    }

    [Fact]
    public async Task PlainSink_RetriableProduceErrors_EveryRecordArrivesOnceInOrder()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers)
            .WithProperty("retry.backoff.ms", "10")
            .WithProperty("max.in.flight.requests.per.connection", ProducerTestSettings.OneRequestInFlight);
        _fixture.Cluster.PushRequestErrors(
            KafkaApiKey.Produce,
            ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas,
            ErrorCode.NoError, ErrorCode.Local_Transport, ErrorCode.LeaderNotAvailable, ErrorCode.NotEnoughReplicasAfterAppend);

        await Source.From(Enumerable.Range(0, 2000))
            .Select(i => new ProducerRecord<string, string>(topic, $"key-{i % 2}", $"value-{i}"))
            .RunWith(KafkaProducer.PlainSink(settings.WithParallelism(500)), _materializer)
            .WaitAsync(Patience);

        var consumed = await Kafka.ConsumeAllAsync(topic, 2000, Patience);
        consumed.Should().HaveCount(2000, "idempotence drops the duplicates a retry could have written");
        consumed.Select(r => r.Message.Value).Should().OnlyHaveUniqueItems();
        foreach (var key in consumed.GroupBy(r => r.Message.Key))
        {
            key.Select(r => int.Parse(r.Message.Value["value-".Length..], System.Globalization.CultureInfo.InvariantCulture))
                .Should().BeInAscendingOrder("retries never reorder a partition");
        }
    }
}
