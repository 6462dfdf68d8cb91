using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// The parts of the Kafka consumer an assignment handler may use during its call (on the poll thread): positions, seeks and
/// offset queries. Committing is left to the committer so that the offset ledger stays the only source of commits.
/// </summary>
public interface IRestrictedConsumer
{
    /// <summary>The partitions currently assigned.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>The offset of the next record the consumer will fetch for <paramref name="partition"/> (may be <see cref="Offset.Unset"/>).</summary>
    /// <param name="partition">An assigned partition.</param>
    Offset Position(TopicPartition partition);

    /// <summary>Moves the fetch position of an assigned partition.</summary>
    /// <param name="offset">The partition and the offset to read next.</param>
    void Seek(TopicPartitionOffset offset);

    /// <summary>The group's committed offsets of <paramref name="partitions"/>, asked of the broker.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="timeout">How long to wait for the broker.</param>
    IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout);

    /// <summary>The low and high watermarks of a partition, asked of the broker.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="timeout">How long to wait for the broker.</param>
    WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout);

    /// <summary>The first offsets at or after the given timestamps, asked of the broker.</summary>
    /// <param name="timestamps">Partitions with timestamps.</param>
    /// <param name="timeout">How long to wait for the broker.</param>
    IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout);
}
