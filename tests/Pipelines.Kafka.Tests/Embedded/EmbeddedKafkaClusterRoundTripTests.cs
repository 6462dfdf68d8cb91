using System.Text;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Kafka.Tests.Embedded;

public sealed class EmbeddedKafkaClusterRoundTripTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(3);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task ConsumerGroup_RestartAfterCommit_ResumesAtTheCommittedOffset()
    {
        _cluster.CreateTopic("orders", partitions: 1);
        using (var producer = new ProducerBuilder<string, string>(ProducerConfig()).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("orders", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }

        var first = await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig("billing")).Build();
            consumer.Subscribe("orders");
            var read = ConsumeValues(consumer, 4);
            // Commit after the fourth record: the group's position is offset 4.
            consumer.Commit();
            consumer.Close();
            return read;
        });

        var second = await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig("billing")).Build();
            consumer.Subscribe("orders");
            var read = ConsumeValues(consumer, 6);
            consumer.Close();
            return read;
        });

        first.Should().Equal("v0", "v1", "v2", "v3");
        second.Should().Equal("v4", "v5", "v6", "v7", "v8", "v9");
    }

    private List<string> ConsumeValues(IConsumer<string, string> consumer, int count)
    {
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null && !result.IsPartitionEOF)
            {
                values.Add(result.Message.Value);
            }
        }

        return values;
    }

    private ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        Acks = Acks.All,
        LingerMs = 1,
    };

    private ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
        HeartbeatIntervalMs = 500,
    };
}
