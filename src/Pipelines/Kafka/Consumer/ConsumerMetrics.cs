using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>A snapshot of a Kafka source's consumer: counters since it started and the state of each assigned partition.</summary>
/// <param name="RecordsReceived">Records the poll thread took from the client and buffered.</param>
/// <param name="Pauses">Times a partition was paused because its buffer or its in-flight offsets were full.</param>
/// <param name="Resumes">Times a paused partition was resumed.</param>
/// <param name="Commits">Commit requests the broker acknowledged.</param>
/// <param name="CommitRetries">Commit attempts retried after a retriable error.</param>
/// <param name="CommitFailures">Commits that failed for good (a committer with WaitForAck fails on them).</param>
/// <param name="Rebalances">Assignments and revocations the consumer went through.</param>
/// <param name="Partitions">The assigned partitions.</param>
public sealed record ConsumerMetrics(
    long RecordsReceived,
    long Pauses,
    long Resumes,
    long Commits,
    long CommitRetries,
    long CommitFailures,
    long Rebalances,
    IReadOnlyDictionary<TopicPartition, PartitionMetrics> Partitions)
{
    /// <summary>The metrics of a consumer that has not started.</summary>
    public static ConsumerMetrics Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, new Dictionary<TopicPartition, PartitionMetrics>());

    /// <summary>The sum of the known lags of the assigned partitions (0 when none is known).</summary>
    public long TotalLag => Partitions.Values.Where(p => p.Lag >= 0).Sum(p => p.Lag);
}
