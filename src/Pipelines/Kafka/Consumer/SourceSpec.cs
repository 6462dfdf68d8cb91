using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>What a source asks of the consumer actor it registers with: what to read and how to hand the records over.</summary>
/// <param name="Name">The source's name, for logs and errors.</param>
/// <param name="Subscription">The topics, pattern or partitions to read.</param>
/// <param name="TrackOffsets">Whether the records' offsets are registered in the ledgers (committable sources).</param>
/// <param name="Partitioned">Whether each partition gets a buffer and a substream of its own.</param>
/// <param name="OffsetsOnAssign">Chooses start offsets on assignment (manual-offset source); runs on the consumer's thread.</param>
/// <param name="StopTimeout">
/// How long the consumer keeps serving commits after the source stopped other than through its control; the consumer's
/// own stop-timeout when <see langword="null"/> (external sources).
/// </param>
internal sealed record SourceSpec(
    string Name,
    Subscription Subscription,
    bool TrackOffsets,
    bool Partitioned,
    Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>>? OffsetsOnAssign,
    TimeSpan? StopTimeout);
