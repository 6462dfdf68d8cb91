using System.ComponentModel;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>
/// Chooses the partition of each record a front door sends (a partitioner, in Java's and Sarama's words; a balancer in
/// kafka-go's). Each producer takes its own copy of a stateful balancer, so one instance may be shared by options.
/// </summary>
/// <remarks>
/// The cheapest mechanism that places records exactly as the named client does: <see cref="Murmur2"/> and
/// <see cref="Fnv1a"/> are librdkafka's own partitioners (<c>partitioner=murmur2_random</c>, <c>fnv1a_random</c>, checked
/// against the Java and Sarama rules key by key), so no managed callback runs per record. <see cref="RoundRobin"/>,
/// <see cref="LeastBytes"/> and <see cref="Custom(BalanceFunc, string)"/> keep state or run user code, so they choose
/// before the record reaches the client, from the topic's partition count in the cluster's metadata: a managed
/// partitioner given to the client (<c>ProducerBuilder.SetDefaultPartitioner</c>) may be called more than once per record
/// and would skew their counters. <see cref="Manual"/> sends to the partition the record names.
/// </remarks>
[TypeConverter(typeof(BalancerTypeConverter))]
public abstract class Balancer
{
    private protected Balancer(string name)
    {
        Name = name;
    }

    /// <summary>The Java client's placement: <c>toPositive(murmur2(key)) % partitions</c>; records without a key go to a random partition.</summary>
    public static Balancer Murmur2 { get; } = new HashBalancer(KeyHash.Murmur2);

    /// <summary>Sarama's and kafka-go's default hash placement (FNV-1a); records without a key go to a random partition, as in Sarama.</summary>
    public static Balancer Fnv1a { get; } = new HashBalancer(KeyHash.Fnv1a);

    /// <summary>Each topic's partitions in turn, starting at 0 (Sarama's <c>NewRoundRobinPartitioner</c>, kafka-go's <c>RoundRobin</c>).</summary>
    public static Balancer RoundRobin { get; } = new RoundRobinBalancer();

    /// <summary>
    /// The partition that has received the fewest key and value bytes from this producer, the lowest on a tie (kafka-go's
    /// <c>LeastBytes</c>, go-queue's pusher default). Bytes are counted when a record is sent, whatever its outcome.
    /// </summary>
    public static Balancer LeastBytes { get; } = new LeastBytesBalancer();

    /// <summary>The partition set on each record (Sarama's <c>NewManualPartitioner</c>); a record without one is refused.</summary>
    public static Balancer Manual { get; } = new ManualBalancer();

    /// <summary>The name used in configuration: <c>murmur2</c>, <c>fnv1a</c>, <c>round-robin</c>, <c>least-bytes</c>, <c>manual</c> or a custom balancer's name.</summary>
    public string Name { get; }

    /// <summary>librdkafka's <c>partitioner</c> value when the client places the records itself, or null.</summary>
    internal virtual string? LibrdkafkaPartitioner => null;

    /// <summary>True when the partition is chosen before the record reaches the client, with <see cref="Choose"/>.</summary>
    internal virtual bool ChoosesBeforeSend => false;

    /// <summary>True when records carry their partition (<see cref="Manual"/>).</summary>
    internal virtual bool UsesRecordPartition => false;

    /// <summary>The hash placement of keyed records (<see cref="Murmur2"/> or <see cref="Fnv1a"/>).</summary>
    /// <param name="hash">The hash, named after the client it agrees with.</param>
    public static Balancer Hash(KeyHash hash) => hash switch
    {
        KeyHash.Murmur2 => Murmur2,
        KeyHash.Fnv1a => Fnv1a,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, $"Unknown key hash {hash}; use KeyHash.Murmur2 or KeyHash.Fnv1a."),
    };

    /// <summary>A balancer that calls <paramref name="balance"/> for every record, with the topic's partition count.</summary>
    /// <param name="balance">Chooses the partition; a result outside the topic's partitions fails that record's send.</param>
    /// <param name="name">The name shown in errors and <see cref="ToString"/>.</param>
    public static Balancer Custom(BalanceFunc balance, string name = "custom")
    {
        ArgumentNullException.ThrowIfNull(balance);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new CustomBalancer(balance, name);
    }

    /// <summary>
    /// The balancer named <paramref name="name"/> as configuration writes it: <c>murmur2</c>, <c>fnv1a</c>, <c>round-robin</c>,
    /// <c>least-bytes</c> or <c>manual</c> (case and <c>-</c>/<c>_</c> ignored, so <c>LeastBytes</c> works too).
    /// </summary>
    /// <exception cref="ArgumentException">The name is none of these.</exception>
    public static Balancer Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = name.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).Trim().ToUpperInvariant();
        return normalized switch
        {
            "MURMUR2" => Murmur2,
            "FNV1A" => Fnv1a,
            "ROUNDROBIN" => RoundRobin,
            "LEASTBYTES" => LeastBytes,
            "MANUAL" => Manual,
            _ => throw new ArgumentException(
                $"Unknown balancer \"{name}\": use murmur2 (Java client), fnv1a (Sarama, kafka-go Hash), round-robin, least-bytes or manual; "
                + "a custom balancer is set in code (Balancer.Custom).", nameof(name)),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Chooses the partition when <see cref="ChoosesBeforeSend"/> is true.</summary>
    internal virtual int Choose(string topic, int partitionCount, byte[]? key, byte[]? value) =>
        throw new NotSupportedException($"The {Name} balancer does not choose before sending.");

    /// <summary>The instance one producer uses: a fresh copy for balancers that keep counts, this one otherwise.</summary>
    internal virtual Balancer ForProducer() => this;
}
