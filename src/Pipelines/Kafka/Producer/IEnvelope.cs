namespace Pipelines.Kafka;

/// <summary>
/// What a producer flow consumes: zero, one or many records to produce plus a pass-through value that comes back in the
/// matching <see cref="IResults{TKey, TValue, TPassThrough}"/> (typically the consumed record's committable offset).
/// Create envelopes with <see cref="ProducerMessage"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public interface IEnvelope<TKey, TValue, out TPassThrough>
{
    /// <summary>The value handed back with the result once every record of the envelope is acknowledged.</summary>
    TPassThrough PassThrough { get; }
}
