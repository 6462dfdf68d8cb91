using System.Text;
using Confluent.Kafka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

public sealed class FlexiFlowTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public FlexiFlowTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(FlexiFlowTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task FlexiFlow_SingleMessages_ResultsCarryPassThroughPartitionOffsetAndTimestamp()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 2);
        var stamp = new Timestamp(new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc));
        var records = Enumerable.Range(0, 6)
            .Select(i => new ProducerRecord<string, string>(topic, new Partition(i % 2), $"k{i}", $"v{i}")
            {
                Timestamp = stamp,
                Headers = [new Header("trace", Encoding.UTF8.GetBytes($"t{i}"))],
            })
            .ToList();

        var results = await Source.From(records.Select((r, i) => ProducerMessage.Single(r, $"pass-{i}")))
            .Via(KafkaProducer.FlexiFlow<string, string, string>(ProducerTestSettings.Strings(_kafka.BootstrapServers)))
            .RunWith(Sink.Seq<IResults<string, string, string>>(), _materializer)
            .WaitAsync(Patience);

        var singles = results.Should().AllBeOfType<Result<string, string, string>>().Subject.ToList();
        singles.Select(r => r.PassThrough).Should().Equal(Enumerable.Range(0, 6).Select(i => $"pass-{i}"));
        singles.Select(r => r.Record).Should().Equal(records, (a, b) => ReferenceEquals(a, b));
        singles.Select(r => r.Metadata.Topic).Should().AllBe(topic);
        singles.Select(r => r.Partition).Should().Equal(0, 1, 0, 1, 0, 1);
        singles.Select(r => r.Offset).Should().Equal(0, 0, 1, 1, 2, 2);
        // The result carries the timestamp the broker acknowledged: the record's create time, or the broker's own when the
        // topic uses log-append time (the embedded cluster always answers with a log-append time).
        singles.Should().AllSatisfy(r => (r.Metadata.Timestamp.Type == TimestampType.LogAppendTime || r.Metadata.Timestamp == stamp).Should().BeTrue());

        var consumed = await _kafka.ConsumeAllAsync(topic, 6, Patience);
        foreach (var record in consumed)
        {
            var result = singles.Single(r => r.Record.Value == record.Message.Value);
            (record.Partition.Value, record.Offset.Value).Should().Be((result.Partition, result.Offset));
            record.Message.Timestamp.Should().Be(stamp);
            Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("trace")).Should().Be("t" + record.Message.Value[1..]);
        }
    }

    [Fact]
    public async Task FlexiFlow_MultiAndPassThroughEnvelopes_OneResultPerEnvelopeWithAPartPerRecord()
    {
        var first = await _kafka.CreateTopicAsync(partitions: 1);
        var second = await _kafka.CreateTopicAsync(partitions: 1);
        var envelopes = new[]
        {
            ProducerMessage.Multi(
                [new ProducerRecord<string, string>(first, "a", "a1"), new ProducerRecord<string, string>(second, "a", "a2"), new ProducerRecord<string, string>(first, "a", "a3")],
                1),
            ProducerMessage.PassThrough<string, string, int>(2),
            ProducerMessage.Multi<string, string, int>([], 3),
            ProducerMessage.Single(new ProducerRecord<string, string>(second, "b", "b1"), 4),
        };

        var results = await Source.From(envelopes)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(ProducerTestSettings.Strings(_kafka.BootstrapServers)))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer)
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(1, 2, 3, 4);
        var multi = results[0].Should().BeOfType<MultiResult<string, string, int>>().Subject;
        multi.Parts.Select(p => (p.Metadata.Topic, p.Metadata.Offset, p.Record.Value)).Should().Equal((first, 0L, "a1"), (second, 0L, "a2"), (first, 1L, "a3"));
        results[1].Should().BeOfType<PassThroughResult<string, string, int>>();
        results[2].Should().BeOfType<MultiResult<string, string, int>>().Which.Parts.Should().BeEmpty();
        results[3].Should().BeOfType<Result<string, string, int>>().Which.Metadata.Should().Match<RecordMetadata>(m => m.Topic == second && m.Offset == 1);
        (await _kafka.ConsumeAllAsync(first, 2, Patience)).Select(r => r.Message.Value).Should().Equal("a1", "a3");
        (await _kafka.ConsumeAllAsync(second, 2, Patience)).Select(r => r.Message.Value).Should().Equal("a2", "b1");
    }

    [Fact]
    public async Task FlexiFlow_ManyPartitionsAndParallelism_ResultsInInputOrder()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 6);
        var settings = ProducerTestSettings.Strings(_kafka.BootstrapServers).WithParallelism(64);

        var results = await Source.From(Enumerable.Range(0, 3000))
            .Select(i => ProducerMessage.Single(new ProducerRecord<string, string>(topic, $"key-{i % 101}", $"v{i}"), i))
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer)
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(Enumerable.Range(0, 3000));
        results.Cast<Result<string, string, int>>().Select(r => r.Partition).Distinct().Should().HaveCount(6);
        results.Cast<Result<string, string, int>>().GroupBy(r => r.Partition)
            .Should().AllSatisfy(p => p.Select(r => r.Offset).Should().Equal(Enumerable.Range(0, p.Count()).Select(o => (long)o)));
    }
}
