namespace Pipelines.Kafka;

/// <summary>The result of a <see cref="PassThroughMessage{TKey, TValue, TPassThrough}"/>: only the pass-through value.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class PassThroughResult<TKey, TValue, TPassThrough> : IResults<TKey, TValue, TPassThrough>
{
    internal PassThroughResult(TPassThrough passThrough) => PassThrough = passThrough;

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"PassThroughResult({PassThrough})";
}
