using Pipelines.Hosting;

namespace Pipelines.Host.View;

/// <summary>
/// One row of the live view: a hosted pipeline, or a Kafka client seen on the meter that is no pipeline (a delay router, a
/// producer with its own client id). Null means nothing was recorded (shown as <c>—</c>); rates are per second over the
/// last interval, totals since the view started.
/// </summary>
/// <param name="Name">The pipeline's name, or the client id.</param>
/// <param name="State">The pipeline's state; null for a client that is no hosted pipeline.</param>
/// <param name="InRate">Records consumed per second.</param>
/// <param name="OutRate">Records produced (acknowledged) per second.</param>
/// <param name="Lag">Records behind the partitions' ends, summed over the assigned partitions.</param>
/// <param name="InFlight">Records handed to the graph whose offsets cannot be committed yet.</param>
/// <param name="Commits">Commit requests so far.</param>
/// <param name="CommittedRate">Records covered by acknowledged commits per second.</param>
/// <param name="Restarts">Restarts of the pipeline after failures.</param>
/// <param name="Failures">Records the producers could not produce plus commit requests that failed.</param>
/// <param name="Consumed">Records consumed since the view started.</param>
/// <param name="Produced">Records produced since the view started.</param>
/// <param name="Committed">Records committed since the view started.</param>
internal sealed record PipelineView(
    string Name,
    PipelineState? State,
    double? InRate,
    double? OutRate,
    long? Lag,
    long? InFlight,
    long? Commits,
    double? CommittedRate,
    long? Restarts,
    long? Failures,
    long? Consumed,
    long? Produced,
    long? Committed);
