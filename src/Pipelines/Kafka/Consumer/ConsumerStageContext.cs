using Akka.Actor;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// What a Kafka source stage needs to reach its consumer: the settings to start a consumer actor of its own, or the actor
/// of an external source, and what it asks of the consumer (<see cref="SourceSpec"/>).
/// </summary>
internal sealed class ConsumerStageContext<TKey, TValue>
{
    private ConsumerStageContext(ConsumerSettings<TKey, TValue>? settings, IActorRef? external, SourceSpec spec)
    {
        Settings = settings;
        External = external;
        Spec = spec;
    }

    /// <summary>The settings of the source's own consumer, or <see langword="null"/> for an external source.</summary>
    public ConsumerSettings<TKey, TValue>? Settings { get; }

    /// <summary>The shared consumer actor of an external source, or <see langword="null"/>.</summary>
    public IActorRef? External { get; }

    /// <summary>What the source asks of its consumer.</summary>
    public SourceSpec Spec { get; }

    /// <summary>A source with a consumer actor of its own, created from <paramref name="settings"/> when the stage starts.</summary>
    /// <exception cref="ArgumentException">The settings lack bootstrap servers, or a group id the source needs.</exception>
    public static ConsumerStageContext<TKey, TValue> Owned(
        ConsumerSettings<TKey, TValue> settings,
        Subscription subscription,
        string name,
        bool trackOffsets,
        bool partitioned,
        Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>>? offsetsOnAssign = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(subscription);
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            throw new ArgumentException(
                "The consumer settings have no bootstrap.servers; set them (WithBootstrapServers, or kafka-clients.bootstrap.servers " +
                "in akka.kafka.consumer), e.g. to an EmbeddedKafkaCluster's BootstrapServers.",
                nameof(settings));
        }

        if ((trackOffsets || subscription is AutoSubscription) && string.IsNullOrWhiteSpace(settings.GroupId))
        {
            throw new ArgumentException(
                $"The consumer settings have no group.id, which {(trackOffsets ? "committing offsets" : "a topic subscription")} needs; set it with WithGroupId.",
                nameof(settings));
        }

        return new ConsumerStageContext<TKey, TValue>(
            settings, null, new SourceSpec(name, subscription, trackOffsets, partitioned, offsetsOnAssign, settings.StopTimeout));
    }

    /// <summary>A source reading partitions assigned by hand through a consumer actor the user created and shares.</summary>
    public static ConsumerStageContext<TKey, TValue> Shared(IActorRef consumer, ManualSubscription subscription, string name, bool trackOffsets)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(subscription);

        // An external source that ends other than through its control leaves after the shared consumer's stop-timeout.
        return new ConsumerStageContext<TKey, TValue>(
            null, consumer, new SourceSpec(name, subscription, trackOffsets, Partitioned: false, OffsetsOnAssign: null, StopTimeout: null));
    }

    /// <summary>
    /// The consumer actor the stage registers with: the external one, or a new one (with its handle) under
    /// <paramref name="system"/>'s system guardian, on the Kafka dispatcher.
    /// </summary>
    public (IActorRef Consumer, ConsumerHandle? Handle) StartConsumer(ActorSystem system)
    {
        if (External is { } external)
        {
            return (external, null);
        }

        var config = Settings!.CreateConsumerConfig();
        if (Spec.TrackOffsets)
        {
            // Offsets are committed from the ledger only; an auto-commit would commit records that are still running.
            config.EnableAutoCommit = false;
            config.EnableAutoOffsetStore = false;
        }

        KafkaConsumerActor.EnsureDispatcher(system);
        var handle = KafkaConsumerActor<TKey, TValue>.CreateHandle(config);
        var props = KafkaConsumerActor<TKey, TValue>.CreateProps(
            config, Settings.KeyDeserializer, Settings.ValueDeserializer, ConsumerActorOptions.From(Settings), handle);
        var name = ConsumerActorNames.Next();
        var actor = system is ExtendedActorSystem extended ? extended.SystemActorOf(props, name) : system.ActorOf(props, name);
        return (actor, handle);
    }
}
