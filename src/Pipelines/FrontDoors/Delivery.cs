namespace Pipelines.FrontDoors;

/// <summary>Where an acknowledged record was stored: its topic, partition and offset.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The record's offset in the partition.</param>
public readonly record struct Delivery(string Topic, int Partition, long Offset);
