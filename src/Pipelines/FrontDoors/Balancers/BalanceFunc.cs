namespace Pipelines.FrontDoors.Balancers;

/// <summary>
/// Chooses the partition of a record for <see cref="Balancer.Custom(BalanceFunc, string)"/>. It runs on the thread that sends
/// the record, once per record; what it throws fails that record's send.
/// </summary>
/// <param name="topic">The record's topic.</param>
/// <param name="partitionCount">The topic's partition count (from the cluster's metadata); the result must be below it.</param>
/// <param name="key">The serialized key, or null for a record without a key.</param>
/// <param name="value">The serialized value, or null for a tombstone.</param>
/// <returns>The partition, from 0 to <paramref name="partitionCount"/> - 1.</returns>
public delegate int BalanceFunc(string topic, int partitionCount, byte[]? key, byte[]? value);
