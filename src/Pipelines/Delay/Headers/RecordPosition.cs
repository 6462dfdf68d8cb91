namespace Pipelines.Delay;

/// <summary>Where a record was read from, for error messages about its headers.</summary>
internal readonly record struct RecordPosition(string Topic, int Partition, long Offset);
