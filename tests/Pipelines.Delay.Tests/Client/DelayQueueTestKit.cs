using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Delay.Tests.Client;

using Headers = Confluent.Kafka.Headers;

/// <summary>Queues, settings and read-backs for the delay queue's tests against a <see cref="KafkaClusterFixture"/>.</summary>
internal static class DelayQueueTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Settings whose topics no other test uses: a unique prefix and cancellation topic, 2 partitions.</summary>
    public static DelaySettings UniqueSettings([CallerMemberName] string testName = "")
    {
        var unique = KafkaClusterFixture.NewTopicName(testName);
        return DelaySettings.Default
            .WithTopicPrefix(unique + "-delay-")
            .WithCancellationTopic(unique + "-cancellations")
            .WithPartitions(2);
    }

    public static ProducerSettings<byte[], byte[]> ProducerSettings(KafkaClusterFixture kafka) =>
        ProducerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), keySerializer: null, valueSerializer: null)
            .WithBootstrapServers(kafka.BootstrapServers)
            .WithProperty("linger.ms", "1");

    /// <summary>A fake clock at the current time to the millisecond (brokers apply retention to record timestamps).</summary>
    public static FakeTimeProvider Clock()
    {
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        return new FakeTimeProvider(new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero));
    }

    public static DelayQueueOptions Options(KafkaClusterFixture kafka, TimeProvider time) => new()
    {
        TimeProvider = time,
        EmbeddedCluster = kafka.Embedded,
    };

    public static DelayQueue Queue(KafkaClusterFixture kafka, DelaySettings settings, TimeProvider time) =>
        new(settings, ProducerSettings(kafka), Options(kafka, time));

    /// <summary>Reads the records at the given coordinates with a consumer assigned to their partitions (no group membership).</summary>
    public static Task<IReadOnlyDictionary<(string Topic, int Partition, long Offset), ConsumeResult<byte[], byte[]>>> ReadStoredAsync(
        KafkaClusterFixture kafka, IEnumerable<ScheduledMessage> messages) =>
        ReadAtAsync(kafka, messages.Select(m => (m.Topic, m.Partition, m.Offset)));

    public static Task<IReadOnlyDictionary<(string Topic, int Partition, long Offset), ConsumeResult<byte[], byte[]>>> ReadAtAsync(
        KafkaClusterFixture kafka, IEnumerable<(string Topic, int Partition, long Offset)> coordinates)
    {
        var wanted = coordinates.ToHashSet();
        return Task.Factory.StartNew<IReadOnlyDictionary<(string, int, long), ConsumeResult<byte[], byte[]>>>(
            () =>
            {
                var config = kafka.ConsumerConfig(KafkaClusterFixture.NewGroupId("read-stored"));
                using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
                consumer.Assign(wanted
                    .GroupBy(c => (c.Topic, c.Partition))
                    .Select(g => new TopicPartitionOffset(g.Key.Topic, g.Key.Partition, g.Min(c => c.Offset))));
                var found = new Dictionary<(string, int, long), ConsumeResult<byte[], byte[]>>();
                using var timeout = new CancellationTokenSource(Patience);
                while (found.Count < wanted.Count)
                {
                    var result = consumer.Consume(timeout.Token);
                    var at = (result.Topic, result.Partition.Value, result.Offset.Value);
                    if (wanted.Contains(at))
                    {
                        found[at] = result;
                    }
                }

                consumer.Close();
                return found;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Every fact on the cancellation topic, waiting for at least <paramref name="expected"/> and reading every partition to its end.</summary>
    public static async Task<IReadOnlyList<DelayFact>> ReadFactsAsync(KafkaClusterFixture kafka, DelaySettings settings, int expected)
    {
        var records = await kafka.ConsumeAllAsync<byte[], byte[]>(settings.CancellationTopic, expected, Patience);
        var facts = new List<DelayFact>();
        foreach (var record in records)
        {
            CancellationRecords.Read(record.Message.Key, record.Message.Value, record.Topic, record.Partition.Value, record.Offset.Value, facts);
        }

        return facts;
    }

    /// <summary>Writes a fact as a router would (a Delivered fact after the target acknowledged).</summary>
    public static async Task WriteFactAsync(KafkaClusterFixture kafka, DelaySettings settings, DelayFact fact)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(kafka.ProducerConfig()).Build();
        await producer.ProduceAsync(settings.CancellationTopic, new Message<byte[], byte[]>
        {
            Key = CancellationRecords.Key(fact.Id, fact.Kind),
            Value = CancellationRecords.Value(fact.At),
        });
    }

    /// <summary>The headers that are not the queue's own, in order.</summary>
    public static IReadOnlyList<(string Key, byte[]? Value)> UserHeaders(Headers? headers) =>
        headers is null ? [] : [.. headers.Where(h => !h.Key.StartsWith(PipelinesHeaders.Prefix, StringComparison.Ordinal)).Select(h => (h.Key, h.GetValueBytes()))];
}
