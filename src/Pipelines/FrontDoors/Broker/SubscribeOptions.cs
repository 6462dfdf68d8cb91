using Confluent.Kafka;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// One subscription's choices over its broker's (<see cref="KafkaBrokerOptions"/>); a null property takes the broker's.
/// The consumer group is the <c>queue</c> given to <see cref="IKafkaBroker.Subscribe{T}"/>.
/// </summary>
public sealed record SubscribeOptions
{
    /// <summary>How the messages are decoded.</summary>
    /// <value>Null: the broker's <see cref="KafkaBrokerOptions.Codec"/>.</value>
    public BrokerCodec? Codec { get; init; }

    /// <summary>Messages handled at once (at least 1).</summary>
    /// <value>Null: the broker's <see cref="KafkaBrokerOptions.Concurrency"/>.</value>
    public int? Concurrency { get; init; }

    /// <summary>Per-key order or none.</summary>
    /// <value>Null: the broker's <see cref="KafkaBrokerOptions.Ordering"/>.</value>
    public BrokerOrdering? Ordering { get; init; }

    /// <summary>Where a group without committed offsets starts (<see cref="Confluent.Kafka.AutoOffsetReset.Earliest"/> or <see cref="Confluent.Kafka.AutoOffsetReset.Latest"/>).</summary>
    /// <value>Null: the broker's <see cref="KafkaBrokerOptions.AutoOffsetReset"/>.</value>
    public AutoOffsetReset? AutoOffsetReset { get; init; }

    /// <summary>What a failed handler leads to.</summary>
    /// <value>Null: the broker's <see cref="KafkaBrokerOptions.Retry"/>.</value>
    public BrokerRetryMode? Retry { get; init; }
}
