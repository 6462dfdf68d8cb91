using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka;
using Pipelines.Streams;
using Pipelines.Telemetry;
using Polly;

namespace Pipelines.Delay;

/// <summary>
/// Runs a handler over a consumer group's messages with retries: in place (Polly.Core, <see cref="RetryPolicy.InPlace"/>),
/// then non-blocking through the delay tiers to the group's retry topic, then the dead-letter topic. <see cref="Flow"/>
/// turns committable messages into the offsets to commit; <see cref="Source"/> also subscribes to the retry topic, which
/// the same pipeline consumes. A failed message's offset is passed on only once its retry or dead letter is acknowledged.
/// </summary>
/// <typeparam name="TKey">The key type the handler sees.</typeparam>
/// <typeparam name="TValue">The value type the handler sees.</typeparam>
/// <remarks>
/// <para>
/// The route reads raw bytes and deserializes them itself, so that a retry or dead letter carries the original bytes
/// unchanged, and a record that cannot be deserialized goes to the dead-letter topic at once
/// (<see cref="KafkaDeserializationException"/> is non-retriable) instead of failing the stream.
/// </para>
/// <para>
/// <b>Key order.</b> With <see cref="RetrySettings.PreserveKeyOrder"/> off (the default), a message in a non-blocking
/// retry leaves its partition, and later messages of its key are processed before it. With it on, while a key has a
/// message in the retry path, later messages of that key follow it there, so each key is still handled in order:
/// </para>
/// <list type="bullet">
/// <item>A keyed message that needs a non-blocking retry goes to the retry topic directly (not through the tiers), keyed
/// as before, with a not-before header at its due time; the key enters an in-memory set of keys in retry.</item>
/// <item>A later message of a key in the set is not handled: it is sent to the retry topic behind it (a follower), and
/// its offset is committed once that is acknowledged. One key's retry messages share a partition, in the order sent.</item>
/// <item>The retry topic is processed like the source, one message of a key at a time: a message first waits until its
/// not-before time on the policy's clock, so the key's followers wait behind it while other keys go on.</item>
/// <item>A retry message that fails again goes to the end of its partition; the key's messages still ahead of it there
/// go round again behind it. A key leaves the set when its last message in the retry path is done.</item>
/// </list>
/// <para>
/// The set lives in the process and is rebuilt from Kafka (<see cref="Source"/> only): a consumer assigned a partition
/// of the retry topic reads it from the group's committed offset to its end and counts those messages as keys in retry
/// (the last one marked sent-again restores its key's barrier); a revoked or lost partition's keys are forgotten. So a
/// restarted instance holds back the keys its predecessor did.
/// </para>
/// <para>
/// Limits: a key's order is kept by the instance owning both its source partition and its retry partition; when they
/// are owned by different members, the retry messages are still handled in order, but the sending member keeps the key
/// in its set (later messages keep taking the retry path, in order) until it restarts.
/// A crash can re-deliver uncommitted retry messages (duplicates, in order). A waiting retry message holds one of
/// <see cref="RetrySettings.Parallelism"/> places until due: with many keys in retry at once, raise it. Null keys have
/// no order and always retry through the tiers.
/// </para>
/// </remarks>
public sealed class RetryRoute<TKey, TValue>
{
    // The topic a message was first consumed from, for the in-place retry callback's measurement.
    private static readonly ResiliencePropertyKey<string> OriginalTopicKey = new("pipelines.original-topic");

    private readonly RetryRouteOptions _options;
    private readonly RetryPolicy _policy;
    private readonly ResiliencePipeline _inPlace;
    private readonly IDeserializer<TKey> _keys;
    private readonly IDeserializer<TValue> _values;
    private readonly Func<ConsumeResult<TKey, TValue>, CancellationToken, Task> _handler;
    private readonly KeyOrderTracker? _order;
    private readonly TimeProvider _time;

    /// <summary>Creates the route of <paramref name="options"/> for <paramref name="handler"/>.</summary>
    /// <param name="options">The consumer group, retry policy, delay queue and dead-letter producer.</param>
    /// <param name="keyDeserializer">Reads the key the handler sees (<c>Deserializers.ByteArray</c> for raw bytes).</param>
    /// <param name="valueDeserializer">Reads the value the handler sees.</param>
    /// <param name="handler">Processes one message; a completed task is success, a thrown or faulted one a failure to retry or dead-letter.</param>
    /// <exception cref="ArgumentException">The consumer group makes an illegal retry or dead-letter topic name.</exception>
    public RetryRoute(
        RetryRouteOptions options,
        IDeserializer<TKey> keyDeserializer,
        IDeserializer<TValue> valueDeserializer,
        Func<ConsumeResult<TKey, TValue>, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Policy, nameof(options));
        ArgumentNullException.ThrowIfNull(options.DelayQueue, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Producer, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Metrics, nameof(options));
        ArgumentNullException.ThrowIfNull(keyDeserializer);
        ArgumentNullException.ThrowIfNull(valueDeserializer);
        ArgumentNullException.ThrowIfNull(handler);
        _options = options;
        _policy = options.Policy;
        RetryTopic = _policy.Settings.RetryTopic(options.ConsumerGroup);
        DeadLetterTopic = _policy.Settings.DeadLetterTopic(options.ConsumerGroup);
        var metrics = options.Metrics;
        _inPlace = _policy.BuildInPlace(args =>
        {
            metrics.RetriedInPlace();
            if (PipelinesInstruments.Retries.Enabled && args.Context.Properties.TryGetValue(OriginalTopicKey, out var origin))
            {
                PipelinesInstruments.RecordRetries(origin, "in-place");
            }

            return default;
        });
        _keys = keyDeserializer;
        _values = valueDeserializer;
        _handler = handler;
        _order = _policy.Settings.PreserveKeyOrder ? new KeyOrderTracker() : null;
        _time = _policy.TimeProvider;
    }

    /// <summary>The consumer group the route serves.</summary>
    public string ConsumerGroup => _options.ConsumerGroup;

    /// <summary>The group's retry topic, which the route's source also consumes.</summary>
    public string RetryTopic { get; }

    /// <summary>The group's dead-letter topic.</summary>
    public string DeadLetterTopic { get; }

    /// <summary>The settings the route follows (those of its policy).</summary>
    public RetrySettings Settings => _policy.Settings;

    /// <summary>What the route did so far.</summary>
    public RetryMetrics Metrics => _options.Metrics;

    /// <summary>How many keys have messages in the retry path (always 0 with preserve-key-order off).</summary>
    public int KeysInRetry => _order?.Count ?? 0;

    /// <summary>
    /// A flow that handles each message with retries and emits its offset once it is done: handled, or its retry or dead
    /// letter acknowledged. With <see cref="RetryProcessing.PerKey"/> (the default) it is <c>SelectAsyncPartitioned</c>
    /// keyed by the record key, with <see cref="RetryProcessing.Unordered"/> <c>SelectAsyncUnordered</c>, both with
    /// <see cref="RetrySettings.Parallelism"/>.
    /// <para>Emits when: a message is done (per key: in input order) and downstream demands. Back-pressures when: the stage
    /// holds its elements (slow handlers, retry messages not due yet, downstream back-pressure). Completes when: upstream
    /// completed and every message is done. Cancels when: downstream cancels. Fails when: a retry or dead letter could not
    /// be stored (<see cref="RetryRouteException"/>) or the handler was cancelled by <see cref="RetryRouteOptions.StoppingToken"/>;
    /// under a resuming decider that element is dropped and its offset never passed on, which holds its partition's
    /// commit position (nothing is lost).</para>
    /// </summary>
    public Flow<CommittableMessage<byte[], byte[]>, ICommittableOffset, NotUsed> Flow()
    {
        var flow = Akka.Streams.Dsl.Flow.Create<CommittableMessage<byte[], byte[]>>();
        return (Settings.Processing == RetryProcessing.Unordered
                ? flow.SelectAsyncUnordered(Settings.Parallelism, ProcessAsync)
                : flow.SelectAsyncPartitioned(Settings.Parallelism, KeyOf, ProcessAsync))
            .Named("RetryRoute");
    }

    /// <summary>
    /// A committable source of <paramref name="topics"/> and the group's retry topic, through <see cref="Flow"/>: the
    /// offsets to pass to a committer (<c>Committer.Sink</c>).
    /// </summary>
    /// <param name="settings">The consumer settings; their <c>group.id</c> must be the route's <see cref="ConsumerGroup"/>.</param>
    /// <param name="topics">The topics to consume besides the retry topic.</param>
    /// <exception cref="ArgumentException">The settings name another group, or no topic is given.</exception>
    public Source<ICommittableOffset, IControl> Source(ConsumerSettings<byte[], byte[]> settings, params IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(topics);
        if (!string.Equals(settings.GroupId, ConsumerGroup, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The consumer settings' group.id is \"{settings.GroupId}\", but the retry route serves group \"{ConsumerGroup}\": its retry topic " +
                $"\"{RetryTopic}\" must be consumed by that group. Use ConsumerSettings.WithGroupId(\"{ConsumerGroup}\").",
                nameof(settings));
        }

        var subscribed = topics.Where(t => !string.Equals(t, RetryTopic, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        if (subscribed.Count == 0)
        {
            throw new ArgumentException("Give at least one topic to consume (the retry topic is added by the route).", nameof(topics));
        }

        subscribed.Add(RetryTopic);
        var subscription = Subscriptions.Topics([.. subscribed]);
        return _order is null
            ? KafkaConsumer.CommittableSource(settings, subscription).Via(Flow())
            : KafkaConsumer.CommittableSource(settings, subscription.WithPartitionAssignmentHandler(new RetryPartitionRebuilder(_order, RetryTopic, settings.Properties))).Via(Flow());
    }

    private static RecordKey KeyOf(CommittableMessage<byte[], byte[]> message) =>
        RecordKey.Of(message.Record.Message.Key, message.Record.Partition.Value, message.Record.Offset.Value);

    private async Task<ICommittableOffset> ProcessAsync(CommittableMessage<byte[], byte[]> message)
    {
        var record = message.Record;
        var topic = record.Topic;
        var partition = record.Partition.Value;
        var offset = record.Offset.Value;
        var fromRetry = string.Equals(topic, RetryTopic, StringComparison.Ordinal);
        var key = KeyOf(message);
        var ordered = _order is not null && key.HasBytes;

        if (ordered && (fromRetry ? _order!.MustGoRound(key, partition, offset) : _order!.InRetry(key)))
        {
            var followed = await FollowAsync(record, fromRetry).ConfigureAwait(false);
            if (!fromRetry)
            {
                // A message going round stays one message in the retry path; a new follower is one more.
                _order!.Added(key, followed.Partition.Value);
            }

            return message.CommittableOffset;
        }

        FailureInfo? previous = null;
        Exception? error = null;
        if (fromRetry)
        {
            try
            {
                var headers = record.Message.Headers;
                previous = RetryHeaders.IsFollower(headers) ? RetryHeaders.ReadFollowerOrigin(headers, topic, partition, offset, _time.GetUtcNow())
                    : FailureHeaders.TryRead(headers, topic, partition, offset, out var failure) ? failure
                    : null;
                if (RetryHeaders.ReadNotBefore(headers, topic, partition, offset) is { } notBefore && notBefore > _time.GetUtcNow())
                {
                    await Task.Delay(notBefore - _time.GetUtcNow(), _time, _options.StoppingToken).ConfigureAwait(false);
                }
            }
            catch (KafkaHeaderException malformed)
            {
                // Non-retriable: the message goes to the dead-letter topic with this error rather than stopping the group.
                error = malformed;
            }
        }

        error ??= await HandleAsync(record, previous?.OriginalTopic ?? topic).ConfigureAwait(false);
        if (error is null)
        {
            Metrics.Handled();
            if (ordered && fromRetry)
            {
                _order!.Done(key);
            }

            return message.CommittableOffset;
        }

        var failed = new FailedRecord(topic, partition, offset, record.Message.Timestamp.UtcDateTime, record.Message.Key, ConsumerGroup);
        var decision = _policy.Decide(failed, error, previous);
        if (decision.Action == RetryAction.DeadLetter)
        {
            await DeadLetterAsync(record, decision).ConfigureAwait(false);
            if (ordered && fromRetry)
            {
                _order!.Done(key);
            }
        }
        else if (ordered)
        {
            // Straight to the retry topic, keyed as before (or pinned to the partition it came from), so that the key's
            // later messages can line up behind it; the not-before header holds it until due.
            var stored = await RetryDirectlyAsync(record, decision, fromRetry ? partition : null).ConfigureAwait(false);
            if (fromRetry)
            {
                _order!.SentAgain(key, stored.Partition.Value, stored.Offset.Value);
            }
            else
            {
                _order!.Added(key, stored.Partition.Value);
            }
        }
        else
        {
            await ScheduleAsync(record, decision).ConfigureAwait(false);
        }

        return message.CommittableOffset;
    }

    /// <summary>Deserializes and handles the record with the in-place retries; returns the last error, or null on success.</summary>
    /// <param name="raw">The record as consumed.</param>
    /// <param name="originalTopic">The topic the message was first consumed from (the tag of its in-place retries).</param>
    private async Task<Exception?> HandleAsync(ConsumeResult<byte[], byte[]> raw, string originalTopic)
    {
        ConsumeResult<TKey, TValue> typed;
        try
        {
            typed = Deserialize(raw);
        }
        catch (KafkaDeserializationException undeserializable)
        {
            return undeserializable;
        }

        // A pooled context carries the topic to the retry callback; the handler gets the stopping token through it.
        var context = ResilienceContextPool.Shared.Get(_options.StoppingToken);
        context.Properties.Set(OriginalTopicKey, originalTopic);
        try
        {
            await _inPlace.ExecuteAsync(
                static (context, state) => new ValueTask(state.Handler(state.Record, context.CancellationToken)),
                context,
                (Handler: _handler, Record: typed)).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (_options.StoppingToken.IsCancellationRequested)
        {
            // The application is stopping: this is no failure of the message; it is consumed again after the restart.
            throw;
        }
#pragma warning disable CA1031 // Every error of the user's handler is the message's failure, to be retried or dead-lettered.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            return failure;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ConsumeResult<TKey, TValue> Deserialize(ConsumeResult<byte[], byte[]> raw)
    {
        var message = raw.Message;
        TKey key;
        TValue value;
        try
        {
            key = _keys.Deserialize(message.Key, message.Key is null, new SerializationContext(MessageComponentType.Key, raw.Topic, message.Headers));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new KafkaDeserializationException(raw.Topic, raw.Partition.Value, raw.Offset.Value, MessageComponentType.Key, ex);
        }

        try
        {
            value = _values.Deserialize(message.Value, message.Value is null, new SerializationContext(MessageComponentType.Value, raw.Topic, message.Headers));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new KafkaDeserializationException(raw.Topic, raw.Partition.Value, raw.Offset.Value, MessageComponentType.Value, ex);
        }

        return new ConsumeResult<TKey, TValue>
        {
            TopicPartitionOffset = raw.TopicPartitionOffset,
            Message = new Message<TKey, TValue> { Key = key, Value = value, Headers = message.Headers, Timestamp = message.Timestamp },
            IsPartitionEOF = false,
            LeaderEpoch = raw.LeaderEpoch,
        };
    }

    private async Task DeadLetterAsync(ConsumeResult<byte[], byte[]> record, RetryDecision decision)
    {
        var headers = RetryHeaders.CopyWithoutRoute(record.Message.Headers);
        FailureHeaders.Write(headers, decision.Failure);
        var letter = new Message<byte[], byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        await ProduceAsync(record, DeadLetterTopic, partition: null, letter, "its dead letter").ConfigureAwait(false);
        Metrics.DeadLettered();
        PipelinesInstruments.RecordDeadLetters(decision.Failure.OriginalTopic, decision.Failure.ExceptionType);
    }

    private async Task ScheduleAsync(ConsumeResult<byte[], byte[]> record, RetryDecision decision)
    {
        var headers = RetryHeaders.CopyWithoutRoute(record.Message.Headers);
        FailureHeaders.Write(headers, decision.Failure);
        try
        {
            await _options.DelayQueue
                .ScheduleAsync(ScheduleRequest.At(RetryTopic, record.Message.Key, record.Message.Value, decision.DueTime, headers), _options.StoppingToken)
                .ConfigureAwait(false);
        }
        catch (DelayQueueException ex)
        {
            throw Failed(record, $"retry {decision.Failure.Attempt} through the delay queue (due {decision.DueTime:O}, for \"{RetryTopic}\")", ex);
        }

        Metrics.ScheduledForRetry();
        PipelinesInstruments.RecordRetries(decision.Failure.OriginalTopic, "non-blocking");
    }

    private async Task<TopicPartitionOffset> RetryDirectlyAsync(ConsumeResult<byte[], byte[]> record, RetryDecision decision, int? partition)
    {
        var headers = RetryHeaders.CopyWithoutRoute(record.Message.Headers);
        FailureHeaders.Write(headers, decision.Failure);
        RetryHeaders.SetNotBefore(headers, decision.DueTime);
        if (partition is not null)
        {
            RetryHeaders.MarkSentAgain(headers);
        }

        var retry = new Message<byte[], byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        var stored = await ProduceAsync(record, RetryTopic, partition, retry, $"retry {decision.Failure.Attempt} (not before {decision.DueTime:O})").ConfigureAwait(false);
        Metrics.ScheduledForRetry();
        PipelinesInstruments.RecordRetries(decision.Failure.OriginalTopic, "non-blocking");
        return stored;
    }

    private async Task<TopicPartitionOffset> FollowAsync(ConsumeResult<byte[], byte[]> record, bool fromRetry)
    {
        if (fromRetry)
        {
            // Round again behind the key's message that failed again: the record is sent as it is (a sent-again mark
            // dropped: it no longer stands where its key's barrier was), to its own partition.
            var kept = new Headers();
            foreach (var header in record.Message.Headers ?? [])
            {
                if (header.Key != PipelinesHeaders.RetrySentAgain)
                {
                    kept.Add(header.Key, header.GetValueBytes());
                }
            }

            var again = new Message<byte[], byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = kept };
            return await ProduceAsync(record, RetryTopic, record.Partition.Value, again, "its place behind its key's retry").ConfigureAwait(false);
        }

        var headers = RetryHeaders.CopyWithoutRoute(record.Message.Headers);
        RetryHeaders.WriteFollower(
            headers, record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime, record.Message.Key, ConsumerGroup);
        var follower = new Message<byte[], byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        var stored = await ProduceAsync(record, RetryTopic, partition: null, follower, "its place behind its key's retry").ConfigureAwait(false);
        Metrics.FollowedIntoRetry();
        return stored;
    }

    private async Task<TopicPartitionOffset> ProduceAsync(
        ConsumeResult<byte[], byte[]> record, string topic, int? partition, Message<byte[], byte[]> message, string what)
    {
        DeliveryResult<byte[], byte[]> stored;
        try
        {
            stored = partition is { } pinned
                ? await _options.Producer.ProduceAsync(new TopicPartition(topic, pinned), message, _options.StoppingToken).ConfigureAwait(false)
                : await _options.Producer.ProduceAsync(topic, message, _options.StoppingToken).ConfigureAwait(false);
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            throw Failed(record, $"{what} to \"{topic}\"", ex);
        }

        if (stored.Status != PersistenceStatus.Persisted)
        {
            throw new RetryRouteException(
                $"The broker did not acknowledge {what} to \"{topic}\" for the record at {record.TopicPartitionOffset} (status {stored.Status}); " +
                "its offset is not committed. Create the retry route's producer with acks=all.",
                record.Topic,
                record.Partition.Value,
                record.Offset.Value,
                innerException: null);
        }

        return stored.TopicPartitionOffset;
    }

    private static RetryRouteException Failed(ConsumeResult<byte[], byte[]> record, string what, Exception ex) => new(
        $"Storing {what} failed for the record at {record.Topic} [{record.Partition.Value}] @{record.Offset.Value}: {ex.Message} " +
        "Its offset is not committed, so it is consumed again after a restart; check that the topic exists and the client may write to it.",
        record.Topic,
        record.Partition.Value,
        record.Offset.Value,
        ex);
}
