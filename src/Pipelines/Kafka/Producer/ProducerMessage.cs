namespace Pipelines.Kafka;

/// <summary>Factories of the envelopes a producer flow consumes (<see cref="KafkaProducer.FlexiFlow{TKey, TValue, TPassThrough}(ProducerSettings{TKey, TValue})"/>).</summary>
public static class ProducerMessage
{
    /// <summary>An envelope producing one record; its result carries the record's partition, offset and timestamp.</summary>
    /// <param name="record">The record to produce.</param>
    /// <param name="passThrough">The value handed back with the result.</param>
    public static IEnvelope<TKey, TValue, TPassThrough> Single<TKey, TValue, TPassThrough>(ProducerRecord<TKey, TValue> record, TPassThrough passThrough) =>
        new Message<TKey, TValue, TPassThrough>(record, passThrough);

    /// <summary>An envelope producing several records; its single result comes once all of them are acknowledged.</summary>
    /// <param name="records">The records to produce, in order.</param>
    /// <param name="passThrough">The value handed back with the result.</param>
    public static IEnvelope<TKey, TValue, TPassThrough> Multi<TKey, TValue, TPassThrough>(IReadOnlyList<ProducerRecord<TKey, TValue>> records, TPassThrough passThrough) =>
        new MultiMessage<TKey, TValue, TPassThrough>(records, passThrough);

    /// <summary>An envelope producing nothing; its pass-through value is handed back in order with the other results.</summary>
    /// <param name="passThrough">The value handed back.</param>
    public static IEnvelope<TKey, TValue, TPassThrough> PassThrough<TKey, TValue, TPassThrough>(TPassThrough passThrough) =>
        new PassThroughMessage<TKey, TValue, TPassThrough>(passThrough);
}
