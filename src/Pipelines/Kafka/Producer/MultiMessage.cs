namespace Pipelines.Kafka;

/// <summary>
/// An envelope holding several records (possibly for different topics); its result, a
/// <see cref="MultiResult{TKey, TValue, TPassThrough}"/>, comes once every record is acknowledged. An empty list behaves
/// like a <see cref="PassThroughMessage{TKey, TValue, TPassThrough}"/> but still yields a (part-less) multi result.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TPassThrough">The type of the value carried through.</typeparam>
public sealed class MultiMessage<TKey, TValue, TPassThrough> : IEnvelope<TKey, TValue, TPassThrough>
{
    /// <summary>Creates the envelope; prefer <see cref="ProducerMessage.Multi{TKey, TValue, TPassThrough}"/>.</summary>
    /// <param name="records">The records to produce, in order.</param>
    /// <param name="passThrough">The value handed back with the result.</param>
    /// <exception cref="ArgumentException">A record is null.</exception>
    public MultiMessage(IReadOnlyList<ProducerRecord<TKey, TValue>> records, TPassThrough passThrough)
    {
        ArgumentNullException.ThrowIfNull(records);
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is null)
            {
                throw new ArgumentException($"Record {i} of the multi-message is null.", nameof(records));
            }
        }

        Records = records;
        PassThrough = passThrough;
    }

    /// <summary>The records to produce, in order.</summary>
    public IReadOnlyList<ProducerRecord<TKey, TValue>> Records { get; }

    /// <inheritdoc />
    public TPassThrough PassThrough { get; }

    /// <inheritdoc />
    public override string ToString() => $"MultiMessage({Records.Count} records, pass-through {PassThrough})";
}
