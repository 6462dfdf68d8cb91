using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Why a key or value could not be deserialized, with its raw bytes, so that the record can go to a dead-letter topic.</summary>
/// <param name="Component">Whether the key or the value failed.</param>
/// <param name="RawData">The bytes as read from Kafka (<see langword="null"/> for a Kafka null).</param>
/// <param name="Exception">What the deserializer threw.</param>
public sealed record DeserializationFailure(MessageComponentType Component, byte[]? RawData, Exception Exception);
