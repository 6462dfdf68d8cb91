using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>A snapshot of one hosted pipeline, from <see cref="IPipelineRegistry"/>.</summary>
/// <param name="Name">The pipeline's name (its section is <c>pipelines.pipelines.&lt;name&gt;</c>).</param>
/// <param name="State">Where the pipeline is in its life.</param>
/// <param name="Restarts">How many times its stream was materialized again after a failure.</param>
/// <param name="Metrics">The current incarnation's consumer metrics (<see cref="ConsumerMetrics.Empty"/> when none runs).</param>
/// <param name="LastProgress">When the consumer was last seen to receive or commit records; null before the first look.</param>
/// <param name="LastFailure">The failure that last ended an incarnation (or prevented the start), if any.</param>
public sealed record PipelineStatus(
    string Name,
    PipelineState State,
    int Restarts,
    ConsumerMetrics Metrics,
    DateTimeOffset? LastProgress,
    Exception? LastFailure)
{
    /// <summary>The sum of the known lags of the consumer's partitions (librdkafka's statistics; 0 when none is known).</summary>
    public long Lag => Metrics.TotalLag;
}
