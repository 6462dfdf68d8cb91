namespace Pipelines.Kafka;

/// <summary>The result of a <see cref="MultiMessage{TKey, TValue, TPassThrough}"/>: one part per record, in the envelope's order.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class MultiResult<TKey, TValue, TPassThrough> : IResults<TKey, TValue, TPassThrough>
{
    internal MultiResult(IReadOnlyList<MultiResultPart<TKey, TValue>> parts, TPassThrough passThrough)
    {
        Parts = parts;
        PassThrough = passThrough;
    }

    /// <summary>The records and where each was stored, in the order of the envelope's records.</summary>
    public IReadOnlyList<MultiResultPart<TKey, TValue>> Parts { get; }

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"MultiResult({Parts.Count} parts, pass-through {PassThrough})";
}
