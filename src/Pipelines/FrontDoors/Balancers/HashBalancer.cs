namespace Pipelines.FrontDoors.Balancers;

/// <summary>
/// Places keyed records by a hash of the key, records without a key on a random partition, through librdkafka's own
/// partitioners: <c>murmur2_random</c> is the Java client's rule (<c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>) and
/// <c>fnv1a_random</c> Sarama's (librdkafka takes the absolute value of the signed hash before the modulo, which is
/// Sarama's modulo-then-negate for every hash, int32's minimum included). No managed callback runs per record.
/// </summary>
internal sealed class HashBalancer(KeyHash hash) : Balancer(hash == KeyHash.Murmur2 ? "murmur2" : "fnv1a")
{
    public KeyHash KeyHash { get; } = hash;

    internal override string? LibrdkafkaPartitioner => KeyHash == KeyHash.Murmur2 ? "murmur2_random" : "fnv1a_random";

    /// <summary>The partition of a key as this balancer places it.</summary>
    public int PartitionFor(ReadOnlySpan<byte> key, int partitionCount) =>
        KeyHash == KeyHash.Murmur2 ? Murmur2Hash.Partition(key, partitionCount) : Fnv1aHash.Partition(key, partitionCount);
}
