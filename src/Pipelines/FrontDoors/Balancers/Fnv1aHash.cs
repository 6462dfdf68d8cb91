namespace Pipelines.FrontDoors.Balancers;

/// <summary>FNV-1a (32 bits), as Go's <c>hash/fnv.New32a</c>, and the partition rule of Sarama's default hash partitioner.</summary>
internal static class Fnv1aHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>Hashes <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var h = OffsetBasis;
        foreach (var b in data)
        {
            h ^= b;
            h *= Prime;
        }

        return h;
    }

    /// <summary>
    /// Sarama's <c>hashPartitioner</c> (and kafka-go's <c>Hash</c>, librdkafka's <c>fnv1a</c>): <c>int32(hash) % partitionCount</c>,
    /// negated when negative. Not the Java rule (mask the sign bit first) nor an unsigned modulo.
    /// </summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount)
    {
        var partition = unchecked((int)Compute(key)) % partitionCount;
        return partition < 0 ? -partition : partition;
    }
}
