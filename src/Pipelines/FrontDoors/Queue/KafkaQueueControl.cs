using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>The controls of a queue's <see cref="KafkaQueueOptions.Conns"/> consumers as one: every call goes to all of them.</summary>
internal sealed class KafkaQueueControl : IControl
{
    private readonly IReadOnlyList<IControl> _controls;

    public KafkaQueueControl(IReadOnlyList<IControl> controls)
    {
        _controls = controls;
        IsShutdown = Task.WhenAll(controls.Select(c => c.IsShutdown));
    }

    /// <summary>How many consumers the queue runs.</summary>
    public int Count => _controls.Count;

    public Task IsShutdown { get; }

    public ConsumerMetrics Metrics
    {
        get
        {
            if (_controls.Count == 1)
            {
                return _controls[0].Metrics;
            }

            var all = _controls.Select(c => c.Metrics).ToList();
            var partitions = new Dictionary<TopicPartition, PartitionMetrics>();
            foreach (var (partition, metrics) in all.SelectMany(m => m.Partitions))
            {
                partitions[partition] = metrics;
            }

            return new ConsumerMetrics(
                all.Sum(m => m.RecordsReceived), all.Sum(m => m.Pauses), all.Sum(m => m.Resumes), all.Sum(m => m.Commits),
                all.Sum(m => m.CommitRetries), all.Sum(m => m.CommitFailures), all.Sum(m => m.Rebalances), partitions);
        }
    }

    public Task Stop() => Task.WhenAll(_controls.Select(c => c.Stop()));

    public Task Shutdown() => Task.WhenAll(_controls.Select(c => c.Shutdown()));

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        await DrainAndShutdown(WithResult(streamCompletion)).ConfigureAwait(false);

        static async Task<bool> WithResult(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        _ = Stop();
        try
        {
            return await streamCompletion.ConfigureAwait(false);
        }
        finally
        {
            // Whatever the stream's outcome, every consumer commits what finished and leaves its group.
            await Shutdown().ConfigureAwait(false);
        }
    }
}
