using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.Delay;
using Pipelines.Kafka;
using Pipelines.Streams;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// go-queue's <c>kq.Queue</c>: consumes topics in a consumer group and calls an <see cref="IConsumeHandler"/> for every
/// message, <see cref="KafkaQueueOptions.Processors"/> calls at once, one message of a key at a time by default, and
/// commits a message's offset only once it and every earlier message of its partition are done.
/// </summary>
/// <remarks>
/// <para>
/// The queue is an Akka.Streams graph on the connector: <see cref="KafkaQueueOptions.Conns"/> committable sources in the
/// group, merged, then <c>SelectAsyncPartitioned</c> keyed by the record key (or <c>SelectAsyncUnordered</c>), then
/// <c>Committer.Sink</c>, whose offset ledger never commits past an unfinished message. Run it on its own
/// (<see cref="Start"/>, <see cref="StopAsync"/>) or as a hosted pipeline (<c>akka.WithKafkaQueue&lt;THandler&gt;(name)</c>),
/// which restarts it with backoff and drains it when the host stops.
/// </para>
/// <para>
/// A failing handler: with <see cref="KafkaQueueOptions.Retry"/> the message goes through the <see cref="RetryRoute{TKey, TValue}"/>
/// (<c>pipelines.retry</c>: retries in place, then non-blocking retries through the delay queue and the group's retry topic,
/// then the dead-letter topic with the error in headers), and its offset is committed once it is handled or its retry or
/// dead letter is stored. Without, the stream fails with a <see cref="KafkaQueueException"/> naming the message; what was
/// done before it is committed, the message is not, and the restarted queue handles it again (at-least-once).
/// </para>
/// </remarks>
public sealed class KafkaQueue : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IConsumeHandler _handler;
    private readonly ConsumerSettings<byte[], byte[]> _consumer;
    private readonly CommitterSettings _committer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RetryRoute<string, string>? _route;
    private readonly IProducer<byte[], byte[]>? _producer;
    private readonly DelayQueue? _delayQueue;
    private readonly Lock _gate = new();
    private DrainingControl<Done>? _running;
    private int _released;

    /// <summary>Creates a queue on <paramref name="system"/>, with the consumer and committer settings of its <c>akka.kafka</c> sections under the options.</summary>
    /// <param name="system">The ActorSystem whose materializer runs the queue and whose configuration holds the consumer, committer and retry settings.</param>
    /// <param name="options">The queue's options.</param>
    /// <param name="handler">Handles every message.</param>
    /// <param name="name">The queue's name in errors and metrics; the group when null.</param>
    /// <param name="logger">Where the retry route's clients log; none when null.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong; every problem is listed.</exception>
    public KafkaQueue(ActorSystem system, KafkaQueueOptions options, IConsumeHandler handler, string? name = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        _system = system;
        Options = options;
        _handler = handler;
        Name = name ?? options.Group;
        _consumer = options.Apply(ConsumerSettings<byte[], byte[]>.Create(system, Deserializers.ByteArray, Deserializers.ByteArray));
        _committer = options.Apply(CommitterSettings.Create(system));
        if (!options.Retry)
        {
            return;
        }

        var retry = RetrySettings.Create(system).WithProcessing(
            options.Processors, options.Ordering == KafkaQueueOrdering.Unordered ? RetryProcessing.Unordered : RetryProcessing.PerKey);
        var producerSettings = options.Apply(ProducerSettings<byte[], byte[]>.Create(system, Serializers.ByteArray, Serializers.ByteArray));
        _producer = KafkaProducer.CreateProducer(producerSettings, logger ?? NullLogger.Instance);
        _delayQueue = new DelayQueue(DelaySettings.Create(system), producerSettings, _producer);
        _route = new RetryRoute<string, string>(
            new RetryRouteOptions
            {
                ConsumerGroup = options.Group,
                Policy = new RetryPolicy(retry),
                DelayQueue = _delayQueue,
                Producer = _producer,
                StoppingToken = _stopping.Token,
            },
            Deserializers.Utf8,
            Deserializers.Utf8,
            (record, cancellationToken) => _handler.ConsumeAsync(ConsumeContext.From(record), cancellationToken));
    }

    /// <summary>The queue's name.</summary>
    public string Name { get; }

    /// <summary>The options the queue runs with.</summary>
    public KafkaQueueOptions Options { get; }

    /// <summary>What the retry route did (handled, retried, dead-lettered); null without <see cref="KafkaQueueOptions.Retry"/>.</summary>
    public RetryMetrics? RetryMetrics => _route?.Metrics;

    /// <summary>The retry topic the queue also consumes (<c>{group}-retry</c>); null without <see cref="KafkaQueueOptions.Retry"/>.</summary>
    public string? RetryTopic => _route?.RetryTopic;

    /// <summary>The dead-letter topic (<c>{group}-dlt</c>); null without <see cref="KafkaQueueOptions.Retry"/>.</summary>
    public string? DeadLetterTopic => _route?.DeadLetterTopic;

    /// <summary>The consumer settings of every source of the queue (the options applied over <c>akka.kafka.consumer</c>).</summary>
    internal ConsumerSettings<byte[], byte[]> ConsumerSettings => _consumer;

    /// <summary>The committer settings of the queue (the options applied over <c>akka.kafka.committer</c>).</summary>
    internal CommitterSettings CommitterSettings => _committer;

    /// <summary>Creates the queue named <paramref name="name"/> in the configuration of <paramref name="system"/> (<c>pipelines.queues.&lt;name&gt;</c>).</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">There is no such queue or a setting is wrong; every problem is listed.</exception>
    public static KafkaQueue Create(ActorSystem system, string name, IConsumeHandler handler, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new KafkaQueue(system, KafkaQueueOptions.FromConfig(system.Settings.Config, name), handler, name, logger);
    }

    /// <summary>
    /// The queue's graph, to run under <c>WithPipeline</c> or by hand: materialized, it starts the consumers, and its
    /// <see cref="DrainingControl{T}"/> stops them, lets the handler calls in flight finish, commits and leaves the group.
    /// Each materialization is a new incarnation (new consumers in the same group).
    /// </summary>
    public IRunnableGraph<DrainingControl<Done>> Graph()
    {
        var topics = _route is null ? Options.Topics.ToArray() : [.. Options.Topics, _route.RetryTopic];
        Source<CommittableMessage<byte[], byte[]>, IControl> messages = Consumer(topics);
        if (Options.Conns > 1)
        {
            var merged = messages.MapMaterializedValue(c => (IReadOnlyList<IControl>)[c]);
            for (var i = 1; i < Options.Conns; i++)
            {
                merged = merged.MergeMaterialized(Consumer(topics), (controls, control) => (IReadOnlyList<IControl>)[.. controls, control]);
            }

            messages = merged.MapMaterializedValue(controls => (IControl)new KafkaQueueControl(controls));
        }

        var handled = _route is not null
            ? messages.Via(_route.Flow())
            : Options.Ordering == KafkaQueueOrdering.Unordered
                ? messages.SelectAsyncUnordered(Options.Processors, HandleAsync)
                : messages.SelectAsyncPartitioned(Options.Processors, KeyOf, HandleAsync);
        return handled
            .Named("KafkaQueue-" + Name)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(_committer), DrainingControl<Done>.Create);
    }

    /// <summary>Runs the queue on the system's materializer until <see cref="StopAsync"/> (go-queue's <c>Start</c>, without blocking).</summary>
    /// <returns>The running queue's control; <see cref="DrainingControl{T}.StreamCompletion"/> completes when it stops, or faults with its failure.</returns>
    /// <exception cref="InvalidOperationException">The queue is already running.</exception>
    public DrainingControl<Done> Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            if (_running is { StreamCompletion.IsCompleted: false })
            {
                throw new InvalidOperationException($"The queue \"{Name}\" is already running; stop it before starting it again.");
            }

            _running = Graph().Run(_system.Materializer(namePrefix: "kafka-queue"));
            return _running;
        }
    }

    /// <summary>
    /// Drains the queue started by <see cref="Start"/> (go-queue's <c>Stop</c>): stops consuming, lets the handler calls
    /// in flight finish, commits and leaves the group. Completes at once when the queue is not running.
    /// </summary>
    /// <exception cref="Exception">The stream failed (e.g. a <see cref="KafkaQueueException"/>).</exception>
    public async Task StopAsync()
    {
        DrainingControl<Done>? running;
        lock (_gate)
        {
            running = _running;
        }

        if (running is not null)
        {
            await running.DrainAndShutdown().ConfigureAwait(false);
        }
    }

    /// <summary>Drains the queue, then cancels handler calls still running and closes the retry route's clients.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the handlers' token and closes the retry route's clients, once.</summary>
    internal async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_delayQueue is not null)
        {
            await _delayQueue.DisposeAsync().ConfigureAwait(false);
        }

        _producer?.Dispose();
        _stopping.Dispose();
    }

    private Source<CommittableMessage<byte[], byte[]>, IControl> Consumer(string[] topics) =>
        KafkaConsumer.CommittableSource(_consumer, Subscriptions.Topics(topics));

    // Messages without a key have no order to keep: each is its own key (by partition and offset).
    private static RecordKey KeyOf(CommittableMessage<byte[], byte[]> message) =>
        RecordKey.Of(message.Record.Message.Key, message.Record.Partition.Value, message.Record.Offset.Value);

    private Task<ICommittableOffset> HandleAsync(CommittableMessage<byte[], byte[]> message)
    {
        Task call;
        try
        {
            call = _handler.ConsumeAsync(ConsumeContext.From(message.Record), _stopping.Token);
        }
        catch (Exception e)
        {
            return Task.FromException<ICommittableOffset>(Failure(message.Record, e));
        }

        // The common case, a handler that finished synchronously, costs no state machine.
        return call.IsCompletedSuccessfully ? Task.FromResult(message.CommittableOffset) : AwaitAsync(call, message);
    }

    private async Task<ICommittableOffset> AwaitAsync(Task call, CommittableMessage<byte[], byte[]> message)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Failure(message.Record, e);
        }

        return message.CommittableOffset;
    }

    private KafkaQueueException Failure(ConsumeResult<byte[], byte[]> record, Exception error) =>
        new(Name, record.Topic, record.Partition.Value, record.Offset.Value, error);
}
