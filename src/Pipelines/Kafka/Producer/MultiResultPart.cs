namespace Pipelines.Kafka;

/// <summary>One record of a <see cref="MultiMessage{TKey, TValue, TPassThrough}"/> and where it was stored.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Metadata">The topic, partition, offset and timestamp the broker acknowledged.</param>
/// <param name="Record">The record that was produced.</param>
public sealed record MultiResultPart<TKey, TValue>(RecordMetadata Metadata, ProducerRecord<TKey, TValue> Record);
