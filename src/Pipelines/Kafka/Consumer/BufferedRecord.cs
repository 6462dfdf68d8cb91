using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>A record in a source's buffer, with the ledger entry it was registered under (sequence -1 when offsets are not tracked).</summary>
internal readonly record struct BufferedRecord<TKey, TValue>(ConsumeResult<TKey, TValue> Result, PartitionState Partition, int Epoch, long Sequence)
{
    /// <summary>The committable offset of the record; it keeps the record's headers, where a produce finds its trace context.</summary>
    public CommittableOffset CreateCommittableOffset() => new(Partition, Epoch, Sequence, Result.Offset.Value, Result.Message?.Headers);
}
