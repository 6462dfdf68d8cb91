using Confluent.Kafka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

public sealed class PlainSinkTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public PlainSinkTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(PlainSinkTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task PlainSink_ThousandRecordsOnThreePartitions_EveryRecordIsConsumedOnce()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 3);
        var settings = ProducerTestSettings.Strings(_kafka.BootstrapServers);

        await Source.From(Enumerable.Range(0, 1000))
            .Select(i => new ProducerRecord<string, string>(topic, $"key-{i % 17}", $"value-{i}"))
            .RunWith(KafkaProducer.PlainSink(settings), _materializer)
            .WaitAsync(Patience);

        var consumed = await _kafka.ConsumeAllAsync(topic, 1000, Patience);
        consumed.Select(r => r.Message.Value).Order(StringComparer.Ordinal).Should().Equal(Enumerable.Range(0, 1000).Select(i => $"value-{i}").Order(StringComparer.Ordinal));
        foreach (var partition in consumed.GroupBy(r => r.Partition.Value))
        {
            partition.Select(r => int.Parse(r.Message.Value["value-".Length..], System.Globalization.CultureInfo.InvariantCulture))
                .Should().BeInAscendingOrder("records of one partition keep the order they were produced in");
        }
    }

    [Fact]
    public async Task PlainSink_SharedProducer_ProducesAndLeavesTheProducerUsable()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(_kafka.BootstrapServers);
        using var producer = KafkaProducer.CreateProducer(settings);

        await Source.From(Enumerable.Range(0, 10))
            .Select(i => new ProducerRecord<string, string>(topic, "k", $"first-{i}"))
            .RunWith(KafkaProducer.PlainSink(settings, producer), _materializer)
            .WaitAsync(Patience);
        await Source.From(Enumerable.Range(0, 10))
            .Select(i => new ProducerRecord<string, string>(topic, "k", $"second-{i}"))
            .RunWith(KafkaProducer.PlainSink(settings, producer), _materializer)
            .WaitAsync(Patience);
        var direct = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "direct" });

        direct.Status.Should().Be(PersistenceStatus.Persisted, "the stages neither flush nor dispose a shared producer");
        var consumed = await _kafka.ConsumeAllAsync(topic, 21, Patience);
        consumed.Select(r => r.Message.Value).Should().Equal(
            Enumerable.Range(0, 10).Select(i => $"first-{i}").Concat(Enumerable.Range(0, 10).Select(i => $"second-{i}")).Append("direct"));
    }
}
