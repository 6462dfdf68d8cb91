using System.Text;
using Confluent.Kafka;
using Pipelines.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>Records the client refuses before sending them: the stream fails with an error that says which record, where, and why.</summary>
public sealed class ProducerFailureTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public ProducerFailureTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ProducerFailureTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task PlainSink_RecordLargerThanMessageMaxBytes_FailsWithErrorNamingTopicAndLimit()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(_kafka.BootstrapServers).WithProperty("message.max.bytes", "1000");
        var records = new[]
        {
            new ProducerRecord<string, string>(topic, "small", "fits"),
            new ProducerRecord<string, string>(topic, "large", new string('x', 5000)),
            new ProducerRecord<string, string>(topic, "after", "never sent"),
        };

        var run = Source.From(records).RunWith(KafkaProducer.PlainSink(settings), _materializer);

        var failure = (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        failure.Error.Code.Should().Be(ErrorCode.MsgSizeTooLarge);
        failure.Topic.Should().Be(topic);
        failure.Record.Should().BeSameAs(records[1]);
        failure.Message.Should().Contain($"\"{topic}\"").And.Contain("message.max.bytes");
        failure.Should().BeAssignableTo<ProduceException<string, string>>();
    }

    [Fact]
    public async Task PlainSink_ValueSerializerThrows_FailsWithTheSerializersError()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(_kafka.BootstrapServers).WithValueSerializer(new RefusingSerializer("poison"));
        var records = new[] { "ok", "poison", "ok-too" }.Select(v => new ProducerRecord<string, string>(topic, "k", v));

        var run = Source.From(records).RunWith(KafkaProducer.PlainSink(settings), _materializer);

        var failure = (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        failure.Error.Code.Should().Be(ErrorCode.Local_ValueSerialization);
        failure.Record.Value.Should().Be("poison");
        failure.InnerException.Should().BeOfType<FormatException>().Which.Message.Should().Be("cannot serialize poison");
        failure.Message.Should().Contain("cannot serialize poison").And.NotContain("   at ", "the reason is the serializer's message, not a stack trace");
    }

    [Fact]
    public async Task PlainSink_NoBootstrapServers_FailsWithAnErrorSayingWhatToSet()
    {
        var settings = ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null);

        var run = Source.From(new[] { new ProducerRecord<string, string>("t", "k", "v") })
            .RunWith(KafkaProducer.PlainSink(settings), _materializer);

        (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("bootstrap.servers").And.Contain("WithBootstrapServers");
    }

    private sealed class RefusingSerializer(string refused) : ISerializer<string>
    {
        public byte[] Serialize(string data, SerializationContext context) =>
            data == refused ? throw new FormatException($"cannot serialize {data}") : Encoding.UTF8.GetBytes(data);
    }
}
