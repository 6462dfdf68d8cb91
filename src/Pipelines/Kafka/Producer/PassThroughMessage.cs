namespace Pipelines.Kafka;

/// <summary>
/// An envelope without records: nothing is produced and its pass-through value comes back as a
/// <see cref="PassThroughResult{TKey, TValue, TPassThrough}"/> in order with the other results (e.g. to commit the
/// offset of a consumed record that needs no output).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class PassThroughMessage<TKey, TValue, TPassThrough> : IEnvelope<TKey, TValue, TPassThrough>
{
    /// <summary>Creates the envelope; prefer <see cref="ProducerMessage.PassThrough{TKey, TValue, TPassThrough}"/>.</summary>
    /// <param name="passThrough">The value handed back.</param>
    public PassThroughMessage(TPassThrough passThrough) => PassThrough = passThrough;

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"PassThroughMessage({PassThrough})";
}
