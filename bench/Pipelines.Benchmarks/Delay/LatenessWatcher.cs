using System.Text;
using Confluent.Kafka;
using Pipelines.Delay;

namespace Pipelines.Benchmarks.Delay;

/// <summary>Reads the target topic from its beginning and notes, per record, how long after its due time it arrived.</summary>
internal sealed class LatenessWatcher : IDisposable
{
    private readonly List<double> _latenessMs = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public LatenessWatcher(string bootstrapServers, string topic, int partitions)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-lateness-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
            FetchErrorBackoffMs = 5,
        };
        _thread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var result = consumer.Consume(_stop.Token);
                    var received = DateTimeOffset.UtcNow;
                    var id = DelayMessageId.Parse(Encoding.ASCII.GetString(result.Message.Headers.GetLastBytes(PipelinesHeaders.DelayId)));
                    lock (_lock)
                    {
                        _latenessMs.Add((received - id.DueTime).TotalMilliseconds);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            consumer.Close();
        })
        { IsBackground = true, Name = "bench-lateness-watcher" };
        _thread.Start();
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _latenessMs.Count;
            }
        }
    }

    /// <summary>p50, p99 and max lateness in milliseconds and the number of records received before their due time.</summary>
    public (double P50, double P99, double Max, int Early) Summary()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _latenessMs];
        }

        Array.Sort(sorted);
        return (At(sorted, 0.50), At(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1], sorted.Count(l => l < 0));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private static double At(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}
