using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// The scheduling client of the delay queue: stores messages in the tier topics to be delivered to their target topic
/// at a due time, and cancels them. A message is scheduled once the broker acknowledged it (<c>acks=all</c>); its key,
/// value and headers reach the target unchanged. Thread-safe; dispose it to flush and close its clients.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ScheduleAsync(ScheduleRequest, CancellationToken)"/> picks the tier with <see cref="DelayTiers.TierFor"/>
/// for the remaining delay (the smallest tier for a due time already passed), records a Scheduled fact on the
/// cancellation topic (when <see cref="DelaySettings.RecordSchedules"/> is on), then writes the message with the
/// <see cref="DelayEnvelope"/> headers beside the user's. <see cref="CancelAsync"/> answers from the facts on the
/// cancellation topic (<see cref="CancellationRegistry.CheckCancel"/>) and writes a Cancelled fact when the message may
/// still be pending; a cancel is accepted once that fact is acknowledged before the message's due time.
/// </para>
/// <para>
/// Cancels read the cancellation topic: the first one reads it whole (every fact of the messages due within
/// <c>max-delay</c> + <c>topics.retention-margin</c>: up to three small records per message), later ones only what was
/// written since; the facts are held in memory for at most <see cref="DelaySettings.CancellationMaxEntries"/> messages
/// (about 170 bytes each). A queue that only schedules reads nothing and holds nothing.
/// </para>
/// </remarks>
public sealed class DelayQueue : IAsyncDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly bool _ownsProducer;
    private readonly TimeSpan _closeTimeout;
    private readonly int _parallelism;
    private readonly DelayQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDelayTopicCreator _topicCreator;
    private readonly CancellationReader _reader;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _topicsLock = new();
    private Task<IReadOnlyList<string>>? _topics;
    private int _disposed;

    /// <summary>Creates a queue that produces with a client of its own, created from <paramref name="producerSettings"/>.</summary>
    /// <param name="settings">The tiers, topics and cancellation settings.</param>
    /// <param name="producerSettings">The producer's connection and client properties; <c>acks</c> must be <c>all</c> (it is set when missing).</param>
    /// <param name="options">The clock, logger, topic creation and timeouts; <see cref="DelayQueueOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException"><c>acks</c> is set to something other than <c>all</c>.</exception>
    /// <exception cref="InvalidOperationException"><c>bootstrap.servers</c> is not set and no embedded cluster is given.</exception>
    public DelayQueue(DelaySettings settings, ProducerSettings<byte[], byte[]> producerSettings, DelayQueueOptions? options = null)
        : this(settings, producerSettings, sharedProducer: null, options, shared: false)
    {
    }

    /// <summary>
    /// Creates a queue that produces with <paramref name="producer"/>, which it neither flushes nor disposes; the producer
    /// must wait for every in-sync replica (<c>acks=all</c>), or an acknowledged message or cancel could still be lost.
    /// </summary>
    /// <param name="settings">The tiers, topics and cancellation settings.</param>
    /// <param name="producerSettings">The connection properties for the queue's admin client and cancellation reader (the producer's own are its own).</param>
    /// <param name="producer">The shared producer, such as one from <see cref="KafkaProducer.CreateProducer{TKey, TValue}"/>.</param>
    /// <param name="options">The clock, logger, topic creation and timeouts; <see cref="DelayQueueOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="producerSettings"/> set <c>acks</c> to something other than <c>all</c>.</exception>
    /// <exception cref="InvalidOperationException"><c>bootstrap.servers</c> is not set and no embedded cluster is given.</exception>
    public DelayQueue(DelaySettings settings, ProducerSettings<byte[], byte[]> producerSettings, IProducer<byte[], byte[]> producer, DelayQueueOptions? options = null)
        : this(settings, producerSettings, producer ?? throw new ArgumentNullException(nameof(producer)), options, shared: true)
    {
    }

    private DelayQueue(DelaySettings settings, ProducerSettings<byte[], byte[]> producerSettings, IProducer<byte[], byte[]>? sharedProducer, DelayQueueOptions? options, bool shared)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(producerSettings);
        _options = options ?? DelayQueueOptions.Default;
        _options.Validate();
        Settings = settings;
        Tiers = new DelayTiers(settings);
        _time = _options.TimeProvider;
        _logger = _options.Logger ?? NullLogger.Instance;
        producerSettings = Prepare(producerSettings, _options);
        _closeTimeout = producerSettings.CloseTimeout;
        _parallelism = producerSettings.Parallelism;
        _ownsProducer = !shared;
        _producer = sharedProducer ?? KafkaProducer.CreateProducer(producerSettings, _logger);
        try
        {
            _topicCreator = _options.TopicCreator
                ?? (_options.EmbeddedCluster is { } cluster
                    ? new EmbeddedTopicCreator(cluster, _options.AdminTimeout)
                    : new AdminTopicCreator(new AdminClientConfig(ClientProperties.Connection(producerSettings.Properties).ToDictionary()), _options.AdminTimeout));
            _reader = new CancellationReader(
                settings.CancellationTopic,
                CancellationReader.ConsumerConfig(producerSettings.Properties),
                CancellationRegistry.ForClient(settings),
                _time,
                _options.CatchUpTimeout,
                _logger);
        }
        catch
        {
            if (_ownsProducer)
            {
                _producer.Dispose();
            }

            throw;
        }
    }

    /// <summary>The settings the queue was created with.</summary>
    public DelaySettings Settings { get; }

    /// <summary>The tiers messages are stored in.</summary>
    public DelayTiers Tiers { get; }

    /// <summary>
    /// Creates a queue from the configuration of <paramref name="system"/>: <c>pipelines.delay</c> and
    /// <c>akka.kafka.producer</c>, each over the reference configuration.
    /// </summary>
    /// <param name="system">The actor system whose configuration is read.</param>
    /// <param name="options">The clock, logger, topic creation and timeouts; <see cref="DelayQueueOptions.Default"/> when null.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelayQueue Create(ActorSystem system, DelayQueueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new DelayQueue(DelaySettings.Create(system), ProducerSettings<byte[], byte[]>.Create(system, keySerializer: null, valueSerializer: null), options);
    }

    /// <summary>
    /// Creates the tier topics and the cancellation topic that do not exist yet (<see cref="DelayTiers.TopicSpecifications"/>,
    /// <see cref="DelayTiers.CancellationTopicSpecification"/>), leaving existing ones unchanged. The first schedule or cancel
    /// calls it when <see cref="DelayQueueOptions.EnsureTopicsOnFirstUse"/> is on; concurrent calls share one creation.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the creation itself goes on).</param>
    /// <returns>The names of the topics this call created.</returns>
    /// <exception cref="DelayQueueException">The cluster refused or did not answer; the message names the topics and what to do.</exception>
    public Task<IReadOnlyList<string>> EnsureTopicsAsync(CancellationToken cancellationToken = default) => TopicsAsync(again: true, cancellationToken);

    /// <summary>Schedules a message due at <paramref name="dueTime"/>; see <see cref="ScheduleAsync(ScheduleRequest, CancellationToken)"/>.</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key, delivered unchanged.</param>
    /// <param name="value">The value, delivered unchanged.</param>
    /// <param name="headers">The user's headers, delivered unchanged; the instance passed is not modified.</param>
    /// <param name="dueTime">When the message is due; a time already passed delivers it at once.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (a message already sent may still be stored).</param>
    public Task<ScheduledMessage> ScheduleAsync(
        string targetTopic, byte[]? key, byte[]? value, Headers? headers, DateTimeOffset dueTime, int? targetPartition = null, CancellationToken cancellationToken = default) =>
        ScheduleAsync(ScheduleRequest.At(targetTopic, key, value, dueTime, headers, targetPartition), cancellationToken);

    /// <summary>Schedules a message due <paramref name="delay"/> from now (the queue's clock); see <see cref="ScheduleAsync(ScheduleRequest, CancellationToken)"/>.</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key, delivered unchanged.</param>
    /// <param name="value">The value, delivered unchanged.</param>
    /// <param name="headers">The user's headers, delivered unchanged; the instance passed is not modified.</param>
    /// <param name="delay">How long from now the message is due; zero delivers it at once.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (a message already sent may still be stored).</param>
    public Task<ScheduledMessage> ScheduleAsync(
        string targetTopic, byte[]? key, byte[]? value, Headers? headers, TimeSpan delay, int? targetPartition = null, CancellationToken cancellationToken = default) =>
        ScheduleAsync(ScheduleRequest.After(targetTopic, key, value, delay, headers, targetPartition), cancellationToken);

    /// <summary>Serializes <paramref name="key"/> and <paramref name="value"/> as a producer would for <paramref name="targetTopic"/> and schedules the message due at <paramref name="dueTime"/>.</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="keySerializer">Serializes the key.</param>
    /// <param name="valueSerializer">Serializes the value.</param>
    /// <param name="headers">The user's headers (the serializers see them), delivered unchanged.</param>
    /// <param name="dueTime">When the message is due; a time already passed delivers it at once.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement.</param>
    public Task<ScheduledMessage> ScheduleAsync<TKey, TValue>(
        string targetTopic, TKey key, TValue value, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, Headers? headers,
        DateTimeOffset dueTime, int? targetPartition = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keySerializer);
        ArgumentNullException.ThrowIfNull(valueSerializer);
        KafkaTopicName.Validate(targetTopic, nameof(targetTopic));
        var keyBytes = keySerializer.Serialize(key, new SerializationContext(MessageComponentType.Key, targetTopic, headers));
        var valueBytes = valueSerializer.Serialize(value, new SerializationContext(MessageComponentType.Value, targetTopic, headers));
        return ScheduleAsync(targetTopic, keyBytes, valueBytes, headers, dueTime, targetPartition, cancellationToken);
    }

    /// <summary>Serializes <paramref name="key"/> and <paramref name="value"/> as a producer would for <paramref name="targetTopic"/> and schedules the message due <paramref name="delay"/> from now.</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="keySerializer">Serializes the key.</param>
    /// <param name="valueSerializer">Serializes the value.</param>
    /// <param name="headers">The user's headers (the serializers see them), delivered unchanged.</param>
    /// <param name="delay">How long from now the message is due; zero delivers it at once.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement.</param>
    public Task<ScheduledMessage> ScheduleAsync<TKey, TValue>(
        string targetTopic, TKey key, TValue value, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, Headers? headers,
        TimeSpan delay, int? targetPartition = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keySerializer);
        ArgumentNullException.ThrowIfNull(valueSerializer);
        KafkaTopicName.Validate(targetTopic, nameof(targetTopic));
        var keyBytes = keySerializer.Serialize(key, new SerializationContext(MessageComponentType.Key, targetTopic, headers));
        var valueBytes = valueSerializer.Serialize(value, new SerializationContext(MessageComponentType.Value, targetTopic, headers));
        return ScheduleAsync(targetTopic, keyBytes, valueBytes, headers, delay, targetPartition, cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="request"/>'s message in the tier for its remaining delay and completes once the broker
    /// acknowledged it. The due time is rounded up to the millisecond (ids and headers carry milliseconds; never early).
    /// </summary>
    /// <param name="request">The message, its target and its due time or delay.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (a message already sent may still be stored).</param>
    /// <returns>The id and where the message was stored.</returns>
    /// <exception cref="ArgumentException">The target is one of the queue's own topics.</exception>
    /// <exception cref="ArgumentOutOfRangeException">(In the task.) The due time lies more than <see cref="DelaySettings.MaxDelay"/> ahead.</exception>
    /// <exception cref="DelayQueueException">(In the task.) The Scheduled fact or the message was not acknowledged, or the topics could not be created.</exception>
    public Task<ScheduledMessage> ScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Tiers.TryGetTier(request.TargetTopic, out _) || request.TargetTopic == Settings.CancellationTopic)
        {
            throw new ArgumentException(
                $"The target topic \"{request.TargetTopic}\" is one of the delay queue's own topics; deliver to a topic of your own.", nameof(request));
        }

        return ScheduleCoreAsync(request, cancellationToken);
    }

    /// <summary>
    /// Cancels the message <paramref name="id"/>. The answer comes from the facts on the cancellation topic, read up to
    /// the moment of the call: <see cref="CancelOutcome.Cancelled"/> once the Cancelled fact is acknowledged before the
    /// message's due time (it is then never delivered); <see cref="CancelOutcome.TooLate"/> when the due time has passed
    /// (the fact is still written and stops a router that has not delivered it yet); <see cref="CancelOutcome.AlreadyCancelled"/>,
    /// <see cref="CancelOutcome.AlreadyDelivered"/> and <see cref="CancelOutcome.Unknown"/> (never scheduled, or its facts
    /// expired; only with <c>record-schedules</c> on) write nothing.
    /// </summary>
    /// <param name="id">The id <see cref="ScheduleAsync(ScheduleRequest, CancellationToken)"/> returned.</param>
    /// <param name="cancellationToken">Stops waiting (a Cancelled fact already sent may still be stored).</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    /// <exception cref="DelayQueueException">(In the task.) The cancellation topic could not be read in time, or the Cancelled fact was not acknowledged.</exception>
    /// <exception cref="DelayRecordException">(In the task.) A record of the cancellation topic is malformed.</exception>
    public Task<CancelOutcome> CancelAsync(DelayMessageId id, CancellationToken cancellationToken = default)
    {
        if (id.IsEmpty)
        {
            throw new ArgumentException("The id is empty; pass the id ScheduleAsync returned.", nameof(id));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return CancelCoreAsync(id, cancellationToken);
    }

    /// <summary>
    /// A flow that schedules each request and emits, in the order the requests arrived, where its message was stored with
    /// the element's pass-through value; built on Akka.Streams' <c>SelectAsync</c>, with <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> of the producer settings.
    /// </summary>
    public Flow<(ScheduleRequest Request, TPassThrough PassThrough), (ScheduledMessage Scheduled, TPassThrough PassThrough), NotUsed> ScheduleFlow<TPassThrough>() =>
        ScheduleFlow<TPassThrough>(_parallelism);

    /// <summary>
    /// A flow that schedules each request (<see cref="ScheduleAsync(ScheduleRequest, CancellationToken)"/>) and emits, in
    /// the order the requests arrived, where its message was stored with the element's pass-through value. With
    /// <paramref name="parallelism"/> above 1 the messages of different elements may be stored in another order.
    /// <para>Emits when: the oldest request's message is acknowledged and downstream pulls. Back-pressures when:
    /// <paramref name="parallelism"/> requests are unacknowledged, or downstream back-pressures. Completes when: upstream
    /// completed and every result was emitted. Cancels when: downstream cancels. Supervision (Akka's
    /// <c>SelectAsync</c>): Stop fails the stream with the request's exception; Resume and Restart drop that element.</para>
    /// </summary>
    /// <param name="parallelism">The most requests awaiting acknowledgement at once.</param>
    public Flow<(ScheduleRequest Request, TPassThrough PassThrough), (ScheduledMessage Scheduled, TPassThrough PassThrough), NotUsed> ScheduleFlow<TPassThrough>(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        return Flow.Create<(ScheduleRequest Request, TPassThrough PassThrough)>()
            .SelectAsync(parallelism, async element => (await ScheduleAsync(element.Request).ConfigureAwait(false), element.PassThrough))
            .Named("DelayQueueSchedule");
    }

    /// <summary>Stops the cancellation reader and, for a producer of its own, flushes (within the producer settings' close timeout) and closes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);

        // Closing Kafka clients blocks; keep it off the caller's thread.
        await Task.Run(() =>
        {
            _reader.Dispose();
            _topicCreator.Dispose();
            if (!_ownsProducer)
            {
                return;
            }

            try
            {
                var outstanding = _producer.Flush(_closeTimeout);
                if (outstanding > 0)
                {
                    DelayQueueLog.SlowFlush(_logger, _closeTimeout, outstanding);
                }
            }
            catch (KafkaException ex)
            {
                DelayQueueLog.CloseFailed(_logger, ex);
            }
            finally
            {
                _producer.Dispose();
            }
        }).ConfigureAwait(false);
        _disposing.Dispose();
    }

    private static ProducerSettings<byte[], byte[]> Prepare(ProducerSettings<byte[], byte[]> settings, DelayQueueOptions options)
    {
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            settings = options.EmbeddedCluster is { } cluster
                ? settings.WithBootstrapServers(cluster.BootstrapServers)
                : throw new InvalidOperationException(
                    $"{ProducerSettings<byte[], byte[]>.ConfigPath}.kafka-clients.bootstrap.servers is not set, so the delay queue has no cluster to " +
                    "connect to: set it in the configuration, call ProducerSettings.WithBootstrapServers, or pass the embedded cluster in DelayQueueOptions.EmbeddedCluster.");
        }

        // A schedule or cancel is promised once acknowledged: only an acknowledgement from every in-sync replica survives
        // the loss of the leader.
        var acks = settings.GetProperty("acks");
        if (acks is null)
        {
            return settings.WithProperty("acks", "all");
        }

        if (acks is not ("all" or "-1"))
        {
            throw new ArgumentException(
                $"The delay queue needs acks=all (a scheduled message or an accepted cancel must survive the loss of a broker), but " +
                $"{ProducerSettings<byte[], byte[]>.ConfigPath}.kafka-clients.acks is \"{acks}\": remove it or set it to all.",
                nameof(settings));
        }

        return settings;
    }

    private static DateTimeOffset RoundUpToMillisecond(DateTimeOffset time)
    {
        var rest = time.UtcTicks % TimeSpan.TicksPerMillisecond;
        return rest == 0 ? time : time.AddTicks(TimeSpan.TicksPerMillisecond - rest);
    }

    private async Task<ScheduledMessage> ScheduleCoreAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        await EnsureTopicsOnFirstUseAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var requested = request.DueAt(now);
        if (requested - now > Settings.MaxDelay)
        {
            throw new ArgumentOutOfRangeException(
                nameof(request),
                requested,
                $"The message for \"{request.TargetTopic}\" is due {requested:O}, {requested - now} from now, beyond pipelines.delay.max-delay ({Settings.MaxDelay}): " +
                "schedule it closer, or raise max-delay (it also sets how long the cancellation topic keeps facts).");
        }

        var due = RoundUpToMillisecond(requested);
        var id = DelayMessageId.New(due);
        var tier = due > now ? Tiers.TierFor(due - now) : Tiers.Smallest;

        if (Settings.RecordSchedules)
        {
            // The fact goes first and the message only once the fact is acknowledged: a stored message then always has its
            // Scheduled fact, so a cancel never answers Unknown for a message a router will deliver. A failure in between
            // leaves only a fact without a message, which makes a later cancel answer Cancelled for nothing.
            await ProduceFactAsync(id, DelayFactKind.Scheduled, now, $"recording that message {id} for \"{request.TargetTopic}\" is scheduled; the message was not stored, schedule it again", cancellationToken)
                .ConfigureAwait(false);
        }

        var headers = new Headers();
        if (request.Headers is { } user)
        {
            foreach (var header in user)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        DelayHeaders.Write(headers, new DelayEnvelope(id, due, request.TargetTopic, request.TargetPartition, now));

        // The record's timestamp is the scheduling time on the same clock that chose the tier, so a router holding it for the
        // tier's delay (timestamp + delay) never holds it past its due time.
        var message = new Message<byte[], byte[]> { Key = request.Key!, Value = request.Value!, Headers = headers, Timestamp = new Timestamp(now) };
        DeliveryResult<byte[], byte[]> stored;
        try
        {
            stored = await _producer.ProduceAsync(tier.Topic, message, cancellationToken).ConfigureAwait(false);
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            throw Failed(
                $"storing message {id} for \"{request.TargetTopic}\" (due {due:O}) in tier topic \"{tier.Topic}\"",
                "it may or may not be stored (a timeout leaves that open); scheduling it again stores another message with another id",
                ex);
        }

        CheckAcknowledged(stored, $"message {id} in tier topic \"{tier.Topic}\"");
        return new ScheduledMessage(id, due, request.TargetTopic, request.TargetPartition, now, tier, stored.Partition.Value, stored.Offset.Value);
    }

    private async Task<CancelOutcome> CancelCoreAsync(DelayMessageId id, CancellationToken cancellationToken)
    {
        await EnsureTopicsOnFirstUseAsync(cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var asked = _time.GetUtcNow();
        var outcome = await _reader.ReadAsync(asked, registry => registry.CheckCancel(id, asked, Settings.RecordSchedules), linked.Token).ConfigureAwait(false);
        if (outcome is not (CancelOutcome.Cancelled or CancelOutcome.TooLate))
        {
            return outcome;
        }

        var at = _time.GetUtcNow();
        await ProduceFactAsync(id, DelayFactKind.Cancelled, at, $"cancelling message {id}; the cancel was not accepted, cancel it again", cancellationToken).ConfigureAwait(false);
        var acknowledged = _time.GetUtcNow();
        await _reader.RecordAsync(new DelayFact(id, DelayFactKind.Cancelled, at), linked.Token).ConfigureAwait(false);

        // A router delivers a due message once it has read every fact acknowledged before the due time, so only a fact
        // acknowledged before it is sure to stop the delivery.
        return acknowledged < id.DueTime ? CancelOutcome.Cancelled : CancelOutcome.TooLate;
    }

    private async Task ProduceFactAsync(DelayMessageId id, DelayFactKind kind, DateTimeOffset at, string what, CancellationToken cancellationToken)
    {
        var fact = new Message<byte[], byte[]>
        {
            Key = CancellationRecords.Key(id, kind),
            Value = CancellationRecords.Value(at),
            Timestamp = new Timestamp(at),
        };
        DeliveryResult<byte[], byte[]> stored;
        try
        {
            stored = await _producer.ProduceAsync(Settings.CancellationTopic, fact, cancellationToken).ConfigureAwait(false);
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            throw Failed($"writing the {kind} fact to the cancellation topic \"{Settings.CancellationTopic}\" while {what}", null, ex);
        }

        CheckAcknowledged(stored, $"the {kind} fact of message {id} on \"{Settings.CancellationTopic}\"");
    }

    private static void CheckAcknowledged(DeliveryResult<byte[], byte[]> stored, string what)
    {
        if (stored.Status != PersistenceStatus.Persisted)
        {
            throw new DelayQueueException(
                $"The broker did not acknowledge {what} (status {stored.Status}): the producer does not wait for acknowledgements; create it with acks=all.",
                error: null,
                innerException: null);
        }
    }

    private static DelayQueueException Failed(string what, string? consequence, ProduceException<byte[], byte[]> ex)
    {
        var where = ex.DeliveryResult?.Partition is { } partition && partition != Partition.Any ? $" (partition {partition.Value})" : string.Empty;
        var advice = ex.Error.Code switch
        {
            ErrorCode.TopicAuthorizationFailed => " Grant the client WRITE on the topic or use other credentials.",
            ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition =>
                " The topic does not exist: call EnsureTopicsAsync or create it with the specifications of DelayTiers.",
            ErrorCode.Local_MsgTimedOut => " It was not acknowledged within message.timeout.ms: check that the brokers are reachable and the partition has a leader.",
            ErrorCode.MsgSizeTooLarge => " The record exceeds message.max.bytes or the topic's max.message.bytes.",
            _ when ex.Error.IsFatal => " The producer hit a fatal error and cannot be used any more: create a new delay queue (or producer).",
            _ => string.Empty,
        };
        var then = consequence is null ? string.Empty : $"; {consequence}";
        return new DelayQueueException($"The delay queue failed {what}{where}: {ex.Error.Reason} ({ex.Error.Code}){then}.{advice}", ex.Error, ex);
    }

    private Task EnsureTopicsOnFirstUseAsync(CancellationToken cancellationToken) =>
        _options.EnsureTopicsOnFirstUse ? TopicsAsync(again: false, cancellationToken) : Task.CompletedTask;

    private Task<IReadOnlyList<string>> TopicsAsync(bool again, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Task<IReadOnlyList<string>> topics;
        lock (_topicsLock)
        {
            // One creation at a time, shared by its callers; after a failure the next caller tries again, and an explicit
            // call looks again even after a success (someone may have deleted a topic).
            if (_topics is null || _topics.IsFaulted || _topics.IsCanceled || (again && _topics.IsCompletedSuccessfully))
            {
                _topics = Task.Run(CreateTopicsAsync);
            }

            topics = _topics;
        }

        return topics.IsCompletedSuccessfully ? topics : topics.WaitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<string>> CreateTopicsAsync()
    {
        TopicSpecification[] specifications = [.. Tiers.TopicSpecifications(), Tiers.CancellationTopicSpecification()];
        IReadOnlyList<string> created;
        try
        {
            created = await _topicCreator.CreateMissingAsync(specifications, _disposing.Token).ConfigureAwait(false);
        }
        catch (KafkaException ex)
        {
            var names = string.Join(", ", specifications.Select(s => $"\"{s.Name}\""));
            throw new DelayQueueException(
                $"Creating the delay queue's missing topics ({names}) failed: {ex.Message} Create them with the specifications of " +
                "DelayTiers.TopicSpecifications() and CancellationTopicSpecification(), or grant the client CREATE on the cluster; " +
                "against an embedded cluster (which does not answer the admin API's CreateTopics) set DelayQueueOptions.EmbeddedCluster.",
                ex.Error,
                ex);
        }

        if (created.Count > 0)
        {
            DelayQueueLog.TopicsCreated(_logger, string.Join(", ", created));
        }

        // librdkafka looks a topic it has not produced to yet up on a one-second timer; asking for the topics' metadata now
        // fills the producer's cache, so that the first message to each tier goes out at once.
        using (var metadata = new DependentAdminClientBuilder(_producer.Handle).Build())
        {
            foreach (var specification in specifications)
            {
                metadata.GetMetadata(specification.Name, _options.AdminTimeout);
            }
        }

        return created;
    }
}
