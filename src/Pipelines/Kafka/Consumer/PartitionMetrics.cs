namespace Pipelines.Kafka;

/// <summary>The state of one assigned partition in <see cref="ConsumerMetrics"/>.</summary>
/// <param name="Lag">The consumer lag from librdkafka's statistics (set <c>statistics.interval.ms</c>), or -1 when unknown.</param>
/// <param name="Buffered">Records waiting in the source's buffer.</param>
/// <param name="InFlight">Records handed to the graph whose offsets cannot be committed yet (published every 100 ms or so).</param>
/// <param name="CommittedOffset">The last committed position (the next offset to read), or -1 when none was committed in this assignment.</param>
/// <param name="Paused">Whether the partition is paused for back-pressure.</param>
public sealed record PartitionMetrics(long Lag, long Buffered, int InFlight, long CommittedOffset, bool Paused);
