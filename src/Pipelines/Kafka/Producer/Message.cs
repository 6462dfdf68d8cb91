namespace Pipelines.Kafka;

/// <summary>An envelope holding one record; its result is a <see cref="Result{TKey, TValue, TPassThrough}"/>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class Message<TKey, TValue, TPassThrough> : IEnvelope<TKey, TValue, TPassThrough>
{
    /// <summary>Creates the envelope; prefer <see cref="ProducerMessage.Single{TKey, TValue, TPassThrough}"/>.</summary>
    /// <param name="record">The record to produce.</param>
    /// <param name="passThrough">The value handed back with the result.</param>
    public Message(ProducerRecord<TKey, TValue> record, TPassThrough passThrough)
    {
        ArgumentNullException.ThrowIfNull(record);
        Record = record;
        PassThrough = passThrough;
    }

    /// <summary>The record to produce.</summary>
    public ProducerRecord<TKey, TValue> Record { get; }

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"Message({Record}, pass-through {PassThrough})";
}
