using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>A consumed record with the offset to commit once its processing is done.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Record">The record as the Kafka client returned it (topic, partition, offset, key, value, headers, timestamp).</param>
/// <param name="CommittableOffset">The record's offset; pass it to a committer when the record is processed.</param>
public readonly record struct CommittableMessage<TKey, TValue>(ConsumeResult<TKey, TValue> Record, ICommittableOffset CommittableOffset);
