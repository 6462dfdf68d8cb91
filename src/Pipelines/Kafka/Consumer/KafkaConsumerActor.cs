using Akka.Actor;
using Akka.Configuration;

namespace Pipelines.Kafka;

/// <summary>
/// The actor that owns a Kafka consumer, as Akka.Streams.Kafka has it: every source creates one of its own, or several
/// external sources (<see cref="KafkaConsumer.PlainExternalSource{TKey, TValue}"/>,
/// <see cref="KafkaConsumer.CommittableExternalSource{TKey, TValue}"/>) share one created from <see cref="Props{TKey, TValue}"/>.
/// </summary>
/// <remarks>
/// The actor runs on the dispatcher <see cref="DispatcherId"/>, a pinned dispatcher (a thread of its own, where it blocks
/// briefly in the client's poll). It stops when its last source leaves (the source's control shut down, or its stream
/// ended and stop-timeout passed), after committing what was processed and closing the client, or when it receives
/// <see cref="Stop"/>. A failure of the consumer fails every source it serves with the error, and the actor stops.
/// </remarks>
public static class KafkaConsumerActor
{
    /// <summary>The dispatcher consumer actors run on; added to an actor system that lacks it (see <see cref="EnsureDispatcher"/>).</summary>
    public const string DispatcherId = "akka.kafka.default-dispatcher";

    // Each consumer actor gets a thread of its own: its poll loop blocks in the client.
    private static readonly Config DispatcherConfig = ConfigurationFactory.ParseString(
        """
        akka.kafka.default-dispatcher {
          type = PinnedDispatcher
          executor = fork-join-executor
          throughput = 100
        }
        """);

    /// <summary>
    /// The props of a consumer actor reading with <paramref name="settings"/>, to be shared by external sources. The actor
    /// system must know <see cref="DispatcherId"/>: call <see cref="EnsureDispatcher"/> first, or configure it yourself.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="settings">The consumer settings (bootstrap servers, group id, deserializers, timings).</param>
    /// <exception cref="ArgumentException">The settings have no bootstrap servers.</exception>
    public static Props Props<TKey, TValue>(ConsumerSettings<TKey, TValue> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            throw new ArgumentException(
                "The consumer settings have no bootstrap.servers; set them (WithBootstrapServers, or kafka-clients.bootstrap.servers "
                + "in akka.kafka.consumer), e.g. to an EmbeddedKafkaCluster's BootstrapServers.",
                nameof(settings));
        }

        return KafkaConsumerActor<TKey, TValue>.CreateProps(
            settings.CreateConsumerConfig(), settings.KeyDeserializer, settings.ValueDeserializer, ConsumerActorOptions.From(settings), handle: null);
    }

    /// <summary>Adds the pinned dispatcher <see cref="DispatcherId"/> to <paramref name="system"/> unless its configuration has one.</summary>
    /// <param name="system">The actor system.</param>
    public static void EnsureDispatcher(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.Settings.Config.HasPath(DispatcherId))
        {
            system.Settings.InjectTopLevelFallback(DispatcherConfig);
        }
    }

    /// <summary>
    /// Tells a consumer actor to shut down: its sources stop, what they processed is committed, the client leaves its group
    /// and closes, and the actor stops.
    /// </summary>
    public sealed class Stop
    {
        /// <summary>The message.</summary>
        public static Stop Instance { get; } = new();

        private Stop()
        {
        }
    }
}
