namespace Pipelines.Kafka;

/// <summary>
/// What a producer flow emits for each envelope, in the order the envelopes arrived, once every record of the envelope is
/// acknowledged: a <see cref="Result{TKey, TValue, TPassThrough}"/>, <see cref="MultiResult{TKey, TValue, TPassThrough}"/> or
/// <see cref="PassThroughResult{TKey, TValue, TPassThrough}"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public interface IResults<TKey, TValue, out TPassThrough>
{
    /// <summary>The pass-through value of the envelope this result is for.</summary>
    TPassThrough PassThrough { get; }
}
