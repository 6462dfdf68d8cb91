using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;

namespace Pipelines.Kafka.Tests.Host;

/// <summary>
/// An independent reader of a topic of the host's example topology: assigned every partition from the beginning (no
/// group, no commits), it keeps reading in the background and counts each order id (the JSON field <c>orderId</c>) and
/// the records read per partition.
/// </summary>
internal sealed class TopicRecorder : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Partition, long Offset), string> _byOffset = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public TopicRecorder(string bootstrapServers, string topic, int partitions)
    {
        _reading = Task.Factory.StartNew(() => Read(bootstrapServers, topic, partitions), TaskCreationOptions.LongRunning);
    }

    /// <summary>Distinct order ids read.</summary>
    public int Distinct => _ids.Count;

    /// <summary>Records read beyond the first of their order id.</summary>
    public int Duplicates => _ids.Values.Sum(c => c - 1);

    /// <summary>The order ids read so far.</summary>
    public IReadOnlySet<string> Ids => _ids.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>How often each order id was read.</summary>
    public IReadOnlyDictionary<string, int> Counts => new Dictionary<string, int>(_ids, StringComparer.Ordinal);

    /// <summary>The order id at each (partition, offset) read.</summary>
    public IReadOnlyDictionary<(int Partition, long Offset), string> ByOffset => new Dictionary<(int, long), string>(_byOffset);

    /// <summary>The committed offsets of <paramref name="group"/> on <paramref name="topic"/>, per partition (-1001 where none).</summary>
    public static IReadOnlyDictionary<int, long> Committed(string bootstrapServers, string group, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    /// <summary>The end offsets of <paramref name="topic"/>'s partitions.</summary>
    public static IReadOnlyDictionary<int, long> EndOffsets(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "unused" }).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reading.Wait(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private void Read(string bootstrapServers, string topic, int partitions)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "recorder-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            FetchWaitMaxMs = 50,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        using var consumer = new ConsumerBuilder<Ignore, string>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<Ignore, string>? record;
            try
            {
                record = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // A partition the cluster does not know yet (the host creates the topics as it starts): read on.
                continue;
            }

            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }

            using var json = JsonDocument.Parse(record.Message.Value);
            var id = json.RootElement.GetProperty("orderId").GetString()!;
            _ids.AddOrUpdate(id, 1, static (_, c) => c + 1);
            _byOffset[(record.Partition.Value, record.Offset.Value)] = id;
        }

        consumer.Close();
    }
}
