using System.Threading.Channels;
using Akka.Actor;
using Akka.TestKit;
using Confluent.Kafka;

namespace Pipelines.Kafka.Tests.Consumer;

/// <summary>
/// A consumer actor with one source registered the way a source stage registers (a test probe stands in for the stage
/// actor), so tests read its buffers and commit through its handle directly.
/// </summary>
internal sealed class TestConsumer<TKey, TValue>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private TestConsumer(IActorRef actor, ConsumerHandle handle, SourceEndpoint<TKey, TValue> endpoint)
    {
        Actor = actor;
        Handle = handle;
        Endpoint = endpoint;
    }

    public IActorRef Actor { get; }

    public ConsumerHandle Handle { get; }

    public SourceEndpoint<TKey, TValue> Endpoint { get; }

    public ConsumerReader<TKey, TValue>? Reader => Endpoint.Reader;

    public ChannelReader<ConsumerReader<TKey, TValue>>? AssignedPartitions => Endpoint.AssignedPartitions;

    public ConsumerMetrics Metrics => Handle.Metrics;

    public Task Completion => Handle.Completion;

    public bool IsShutdown => Handle.IsTerminated;

    /// <summary>Starts a consumer actor under <paramref name="kit"/>'s system and registers a source reading <paramref name="subscription"/>.</summary>
    public static TestConsumer<TKey, TValue> Start(
        TestKitBase kit,
        ConsumerConfig config,
        IDeserializer<TKey>? keys,
        IDeserializer<TValue>? values,
        Subscription subscription,
        bool trackOffsets = true,
        bool partitioned = false,
        ConsumerActorOptions? options = null)
    {
        config = new ConsumerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value));
        if (trackOffsets)
        {
            // As a committable source's own consumer: offsets are committed from the ledgers only.
            config.EnableAutoCommit = false;
            config.EnableAutoOffsetStore = false;
        }

        KafkaConsumerActor.EnsureDispatcher(kit.Sys);
        var handle = KafkaConsumerActor<TKey, TValue>.CreateHandle(config);
        var actor = kit.Sys.ActorOf(KafkaConsumerActor<TKey, TValue>.CreateProps(config, keys, values, options ?? new ConsumerActorOptions(), handle));
        var stage = kit.CreateTestProbe();
        var spec = new SourceSpec("test source", subscription, trackOffsets, partitioned, null, TimeSpan.Zero);
        actor.Tell(new ConsumerProtocol.RegisterSource(spec, typeof(TKey), typeof(TValue)), stage.Ref);
        var registered = stage.ExpectMsg<ConsumerProtocol.SourceRegistered>(Patience);
        return new TestConsumer<TKey, TValue>(actor, handle, (SourceEndpoint<TKey, TValue>)registered.Endpoint);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => Handle.CommitAsync(cancellationToken);

    /// <summary>The source leaves, as its control's shutdown makes it: the consumer commits, closes and stops; completes with the consumer.</summary>
    public Task ShutdownAsync()
    {
        Endpoint.RequestLeave();
        return Handle.Completion;
    }
}
