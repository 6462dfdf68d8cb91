namespace Pipelines.Host.View;

/// <summary>
/// What <see cref="PipelinesMeterReader"/> saw of the <c>Pipelines</c> meter at one moment: counter totals since it started
/// listening (per <c>messaging.client.id</c>, per pipeline or per tier topic), the gauges as observed now (summed per
/// client id over partitions), and the lateness values recorded since the previous reading.
/// </summary>
internal sealed record MeterReading(
    IReadOnlyDictionary<string, long> Consumed,
    IReadOnlyDictionary<string, long> Committed,
    IReadOnlyDictionary<string, long> Commits,
    IReadOnlyDictionary<string, long> CommitFailures,
    IReadOnlyDictionary<string, long> Produced,
    IReadOnlyDictionary<string, long> ProduceFailures,
    IReadOnlyDictionary<string, long> Restarts,
    IReadOnlyDictionary<string, long> Lag,
    IReadOnlyDictionary<string, long> InFlight,
    IReadOnlyDictionary<string, long> Pending,
    long? Retries,
    long? DeadLetters,
    IReadOnlyList<double> LatenessSeconds);
