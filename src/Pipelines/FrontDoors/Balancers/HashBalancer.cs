using Confluent.Kafka;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>Places keyed records by a hash of the key; records without a key go to a random partition.</summary>
internal sealed class HashBalancer : Balancer
{
    private readonly PartitionerDelegate? _partitioner;

    public HashBalancer(KeyHash hash)
        : base(hash == KeyHash.Murmur2 ? "murmur2" : "fnv1a")
    {
        KeyHash = hash;

        // librdkafka's murmur2_random is the Java rule (sign bit masked, then modulo); its fnv1a is not Sarama's rule.
        _partitioner = hash == KeyHash.Fnv1a ? PartitionFnv1a : null;
    }

    public KeyHash KeyHash { get; }

    internal override string? LibrdkafkaPartitioner => KeyHash == KeyHash.Murmur2 ? "murmur2_random" : null;

    internal override PartitionerDelegate? ClientPartitioner => _partitioner;

    /// <summary>The partition of a key as this balancer places it.</summary>
    public int PartitionFor(ReadOnlySpan<byte> key, int partitionCount) =>
        KeyHash == KeyHash.Murmur2 ? Murmur2Hash.Partition(key, partitionCount) : Fnv1aHash.Partition(key, partitionCount);

    // librdkafka may call this more than once per record and on any thread: it must stay a pure function of the key.
    private static Partition PartitionFnv1a(string topic, int partitionCount, ReadOnlySpan<byte> keyData, bool keyIsNull) =>
        keyIsNull ? new Partition(Random.Shared.Next(partitionCount)) : new Partition(Fnv1aHash.Partition(keyData, partitionCount));
}
