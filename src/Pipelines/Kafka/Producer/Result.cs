namespace Pipelines.Kafka;

/// <summary>The result of a <see cref="Message{TKey, TValue, TPassThrough}"/>: the record, where it was stored, and the pass-through value.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class Result<TKey, TValue, TPassThrough> : IResults<TKey, TValue, TPassThrough>
{
    internal Result(RecordMetadata metadata, ProducerRecord<TKey, TValue> record, TPassThrough passThrough)
    {
        Metadata = metadata;
        Record = record;
        PassThrough = passThrough;
    }

    /// <summary>The topic, partition, offset and timestamp the broker acknowledged.</summary>
    public RecordMetadata Metadata { get; }

    /// <summary>The record that was produced (the instance the envelope carried).</summary>
    public ProducerRecord<TKey, TValue> Record { get; }

    /// <summary>The partition the record went to.</summary>
    public int Partition => Metadata.Partition;

    /// <summary>The record's offset in its partition.</summary>
    public long Offset => Metadata.Offset;

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"Result({Metadata}, pass-through {PassThrough})";
}
