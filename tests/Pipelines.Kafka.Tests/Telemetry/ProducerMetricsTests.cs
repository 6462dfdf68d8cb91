using System.Globalization;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Producer;
using Pipelines.Kafka.Tests.Support;
using Pipelines.Telemetry;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>The producer stages' instruments of the Pipelines meter.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ProducerMetricsTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;
    private readonly IMaterializer _materializer;

    public ProducerMetricsTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ProducerMetricsTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task PlainSink_EveryRecordAcknowledged_ProducedCountsEachRecordOfItsTopic()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers).WithProperty("client.id", "orders-writer");

        await Source.From(Enumerable.Range(0, 200))
            .Select(i => new ProducerRecord<string, string>(topic, $"key-{i}", Text(i)))
            .RunWith(KafkaProducer.PlainSink(settings), _materializer)
            .WaitAsync(Patience);

        var produced = meters.Of("pipelines.producer.produced", TagNames.Topic, topic);
        produced.Sum(m => m.Value).Should().Be(200);
        produced.Should().OnlyContain(m => Equals(m.Tag(TagNames.ClientId), "orders-writer") && m.Unit == "{record}");
        meters.Of("pipelines.producer.failures", TagNames.Topic, topic).Should().BeEmpty();
        (await Kafka.ConsumeAllAsync(topic, 200, Patience)).Should().HaveCount(200);
    }

    [Fact]
    public async Task FlexiFlow_RecordTooLargeUnderResumingDecider_CountsTheFailureWithItsErrorAndTheOthersAsProduced()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers).WithProperty("message.max.bytes", "1000").WithParallelism(1);

        var results = await Source.From(Enumerable.Range(0, 10))
            .Select(i => ProducerMessage.Single(new ProducerRecord<string, string>(topic, "k", i == 4 ? new string('x', 5000) : Text(i)), i))
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer)
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(0, 1, 2, 3, 5, 6, 7, 8, 9);
        meters.Sum("pipelines.producer.produced", TagNames.Topic, topic).Should().Be(9);
        var failures = meters.Of("pipelines.producer.failures", TagNames.Topic, topic);
        failures.Should().ContainSingle().Which.Tag(TagNames.ErrorType).Should().Be("MsgSizeTooLarge");
    }

    private static string Text(int i) => i.ToString(CultureInfo.InvariantCulture);
}
