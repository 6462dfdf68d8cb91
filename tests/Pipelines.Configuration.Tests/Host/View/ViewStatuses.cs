using Confluent.Kafka;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>Pipeline statuses as the registry reports them, for the view's tests.</summary>
internal static class ViewStatuses
{
    public static PipelineStatus Of(string name, PipelineState state, int restarts = 0, long received = 0, long commits = 0, params (long Lag, int InFlight)[] partitions)
    {
        var metrics = new ConsumerMetrics(
            received,
            0,
            0,
            commits,
            0,
            0,
            0,
            partitions.Select((p, i) => (Partition: new TopicPartition(name, i), Metrics: new PartitionMetrics(p.Lag, 0, p.InFlight, -1, false)))
                .ToDictionary(p => p.Partition, p => p.Metrics));
        return new PipelineStatus(name, state, restarts, metrics, null, null);
    }

    public static PipelineStatus NotRunning(string name, PipelineState state, int restarts) =>
        new(name, state, restarts, ConsumerMetrics.Empty, null, null);
}
