namespace Pipelines.FrontDoors.Balancers;

/// <summary>The hash a <see cref="Balancer.Hash(KeyHash)"/> balancer places keyed records with, named after the client it agrees with.</summary>
public enum KeyHash
{
    /// <summary>
    /// The Java client's default partitioner (and kafka-go's <c>Murmur2Balancer</c>, librdkafka's <c>murmur2_random</c>):
    /// <c>toPositive(murmur2(key)) % partitions</c>.
    /// </summary>
    Murmur2,

    /// <summary>
    /// Sarama's <c>NewHashPartitioner</c> (its default), kafka-go's <c>Hash</c> balancer and librdkafka's <c>fnv1a_random</c>:
    /// FNV-1a (32 bits) of the key, taken as a signed 32-bit number, modulo the partitions, negated when negative.
    /// </summary>
    Fnv1a,
}
