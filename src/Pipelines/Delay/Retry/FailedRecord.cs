namespace Pipelines.Delay;

/// <summary>The consumed record whose processing failed, as <see cref="RetryPolicy.Decide"/> needs it.</summary>
/// <param name="Topic">The topic it was consumed from (the original topic, or the group's retry topic).</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset.</param>
/// <param name="Timestamp">Its timestamp.</param>
/// <param name="Key">Its key's bytes, or <see langword="null"/> for a null key.</param>
/// <param name="ConsumerGroup">The consumer group that processed it.</param>
public readonly record struct FailedRecord(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, byte[]? Key, string ConsumerGroup);
