using Confluent.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>A record pushed with <see cref="KafkaPusher.Push(string?, string, Headers?)"/> that was not stored, and why.</summary>
/// <param name="Topic">The pusher's topic.</param>
/// <param name="Key">The record's key, or null.</param>
/// <param name="Value">The record's value.</param>
/// <param name="Headers">The record's headers, or null.</param>
/// <param name="Exception">Why: a <see cref="Pipelines.Kafka.KafkaProduceException{TKey, TValue}"/> naming topic, partition and reason, or the error that kept the record from the client.</param>
public sealed record PushFailure(string Topic, string? Key, string Value, Headers? Headers, Exception Exception);
