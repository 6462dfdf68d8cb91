using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Delay.Tests.Router;

/// <summary>Reads a target topic from its beginning on a thread of its own and counts the delay ids delivered to it.</summary>
internal sealed class TargetWatcher : IDisposable
{
    private readonly ConcurrentDictionary<DelayMessageId, int> _ids = new();
    private readonly ConcurrentQueue<ConsumeResult<byte[], byte[]>> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public TargetWatcher(KafkaClusterFixture kafka, string topic, int partitions)
    {
        var config = kafka.ConsumerConfig(KafkaClusterFixture.NewGroupId("watch"));
        _thread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var result = consumer.Consume(_stop.Token);
                    _records.Enqueue(result);
                    _ids.AddOrUpdate(RouterSpec.IdOfRecord(result), 1, (_, n) => n + 1);
                    Interlocked.Increment(ref _total);
                }
            }
            catch (OperationCanceledException)
            {
            }

            consumer.Close();
        })
        { IsBackground = true };
        _thread.Start();
    }

    private long _total;

    /// <summary>Distinct ids delivered.</summary>
    public int Distinct => _ids.Count;

    /// <summary>Records delivered, duplicates included.</summary>
    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyCollection<ConsumeResult<byte[], byte[]>> Records => _records;

    public IReadOnlyDictionary<DelayMessageId, int> Ids => _ids;

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
