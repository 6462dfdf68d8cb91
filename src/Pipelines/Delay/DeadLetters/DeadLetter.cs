using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>A message read from a dead-letter topic: where it is stored, its original key, value and user headers, and its failure.</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="Partition">Its partition there.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="Key">The original key (null for a null key).</param>
/// <param name="Value">The original value (null for a tombstone).</param>
/// <param name="UserHeaders">The original message's own headers, without any <c>pipelines-</c> header.</param>
/// <param name="Failure">Where the message came from and why it was dead-lettered (its failure headers).</param>
public sealed record DeadLetter(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, Headers UserHeaders, FailureInfo Failure);
