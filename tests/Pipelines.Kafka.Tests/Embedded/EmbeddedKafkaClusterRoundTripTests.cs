using System.Text;
using Confluent.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Embedded;

public sealed class EmbeddedKafkaClusterRoundTripTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConsumerGroup_RestartAfterCommit_ResumesAtTheCommittedOffset()
    {
        var kafka = fixture.Kafka;
        var topic = await kafka.CreateTopicAsync(partitions: 2);
        var groupId = KafkaClusterFixture.NewGroupId();
        var produced = await kafka.ProduceBatchAsync(topic, 20);

        // First run: read 8 records, commit exactly what was read, stop.
        var firstRun = await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(kafka.ConsumerConfig(groupId)).Build();
            consumer.Subscribe(topic);
            var read = Consume(consumer, 8);
            consumer.Commit(read.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)));
            consumer.Close();
            return read;
        });

        // Second run, same group: picks up at the committed offsets and reads the rest.
        var secondRun = await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(kafka.ConsumerConfig(groupId)).Build();
            consumer.Subscribe(topic);
            var read = Consume(consumer, 20 - firstRun.Count);
            consumer.Close();
            return read;
        });

        var committed = await kafka.GetCommittedOffsetsAsync(groupId, topic);
        var committedByPartition = committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        foreach (var partition in new[] { 0, 1 })
        {
            var firstOffsets = firstRun.Where(r => r.Partition.Value == partition).Select(r => r.Offset.Value).ToList();
            var secondOffsets = secondRun.Where(r => r.Partition.Value == partition).Select(r => r.Offset.Value).ToList();
            var resumeAt = committedByPartition[partition] < 0 ? 0 : committedByPartition[partition];
            firstOffsets.Should().BeInAscendingOrder().And.NotContain(o => o >= resumeAt, "the first run committed after what it read");
            secondOffsets.Should().Equal(
                Enumerable.Range((int)resumeAt, secondOffsets.Count).Select(o => (long)o),
                "the second run starts exactly at the committed offset and skips nothing");
        }

        firstRun.Concat(secondRun).Select(r => r.Message.Value).Should().BeEquivalentTo(
            produced.Select(d => d.Message.Value), "nothing is read twice and nothing is skipped");
    }

    [Fact]
    public async Task ProduceAndConsume_KeysHeadersAndTimestamps_SurviveTheRoundTrip()
    {
        var kafka = fixture.Kafka;
        var topic = await kafka.CreateTopicAsync();
        var createTime = new DateTime(2024, 2, 29, 12, 34, 56, 789, DateTimeKind.Utc);
        var binary = new byte[] { 0, 1, 2, 254, 255 };
        var messages = new[]
        {
            new Message<string?, string>
            {
                Key = "customer-42",
                Value = "order placed",
                Timestamp = new Timestamp(createTime, TimestampType.CreateTime),
                Headers = new Headers
                {
                    { "trace-id", Encoding.UTF8.GetBytes("abc-123") },
                    { "binary", binary },
                    { "empty", [] },
                    { "repeated", "first"u8.ToArray() },
                    { "repeated", "second"u8.ToArray() },
                },
            },
            new Message<string?, string>
            {
                Key = null,
                Value = "no key, no headers",
                Timestamp = new Timestamp(createTime.AddDays(1), TimestampType.CreateTime),
            },
        };

        await kafka.ProduceBatchAsync(topic, messages);
        var read = await kafka.ConsumeAllAsync<string?, string>(topic, 2, Patience);

        read.Should().HaveCount(2);
        var first = read[0].Message;
        first.Key.Should().Be("customer-42");
        first.Value.Should().Be("order placed");
        first.Timestamp.Type.Should().Be(TimestampType.CreateTime);
        first.Timestamp.UtcDateTime.Should().Be(createTime);
        first.Headers.Select(h => h.Key).Should().Equal("trace-id", "binary", "empty", "repeated", "repeated");
        first.Headers.Select(h => h.GetValueBytes()).Should().BeEquivalentTo(
            new[] { Encoding.UTF8.GetBytes("abc-123"), binary, [], "first"u8.ToArray(), "second"u8.ToArray() },
            options => options.WithStrictOrdering());

        var second = read[1].Message;
        second.Key.Should().BeNull();
        second.Value.Should().Be("no key, no headers");
        second.Timestamp.UtcDateTime.Should().Be(createTime.AddDays(1));
        second.Headers.Should().BeEmpty();
    }

    private static List<ConsumeResult<string, string>> Consume(IConsumer<string, string> consumer, int count)
    {
        var read = new List<ConsumeResult<string, string>>();
        using var timeout = new CancellationTokenSource(Patience);
        while (read.Count < count)
        {
            // Throws OperationCanceledException (failing the test) if the records never come.
            read.Add(consumer.Consume(timeout.Token));
        }

        return read;
    }
}
