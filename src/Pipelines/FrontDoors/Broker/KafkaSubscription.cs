using System.Diagnostics;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Delay;
using Pipelines.Kafka;
using Pipelines.Streams;
using Pipelines.Telemetry;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// One subscription: a committable source of the topic in the queue's group, the handler per message (per key in order,
/// or unordered, with the subscription's concurrency) and a committer. Under <see cref="BrokerRetryMode.Forever"/> this
/// class decodes, dead-letters and retries itself; under <see cref="BrokerRetryMode.Route"/> a <see cref="RetryRoute{TKey, TValue}"/> does.
/// </summary>
internal sealed class KafkaSubscription<T> : IKafkaSubscription
{
    private readonly KafkaBroker _broker;
    private readonly Func<BrokerEvent<T>, CancellationToken, Task> _handler;
    private readonly BrokerCodec _codec;
    private readonly int _concurrency;
    private readonly BrokerOrdering _ordering;
    private readonly KafkaBrokerOptions _options;
    private readonly RetryPolicy _policy;
    private readonly string _spanName;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly DrainingControl<Done> _control;
    private Task? _stopped;

    public KafkaSubscription(
        KafkaBroker broker,
        string topic,
        string queue,
        Func<BrokerEvent<T>, CancellationToken, Task> handler,
        SubscribeOptions subscribe,
        ConsumerSettings<byte[], byte[]> consumerSettings,
        CommitterSettings committerSettings,
        RetrySettings retrySettings,
        IMaterializer materializer)
    {
        _broker = broker;
        _options = broker.Options;
        Topic = topic;
        Queue = queue;
        _handler = handler;
        _codec = subscribe.Codec ?? _options.Codec;
        _concurrency = subscribe.Concurrency ?? _options.Concurrency;
        _ordering = subscribe.Ordering ?? _options.Ordering;
        Retry = subscribe.Retry ?? _options.Retry;
        _spanName = "process " + topic;
        _policy = new RetryPolicy(
            retrySettings.WithProcessing(_concurrency, _ordering == BrokerOrdering.PerKey ? RetryProcessing.PerKey : RetryProcessing.Unordered),
            _options.TimeProvider);
        DeadLetterTopic = _policy.Settings.DeadLetterTopic(queue);

        var settings = consumerSettings
            .WithGroupId(queue)
            .WithProperty("auto.offset.reset", (subscribe.AutoOffsetReset ?? _options.AutoOffsetReset) == AutoOffsetReset.Latest ? "latest" : "earliest");
        Source<ICommittableOffset, IControl> source;
        if (Retry == BrokerRetryMode.Route)
        {
            var route = new RetryRoute<byte[], (T Message, byte[] Raw)>(
                new RetryRouteOptions
                {
                    ConsumerGroup = queue,
                    Policy = _policy,
                    DelayQueue = broker.DelayQueue,
                    Producer = broker.Producer,
                    StoppingToken = _stopping.Token,
                },
                Deserializers.ByteArray,
                new CodecDeserializer<T>(_codec),
                HandleRoutedAsync);
            Metrics.Route = route.Metrics;
            source = route.Source(settings, topic);
        }
        else
        {
            var messages = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic));
            source = _ordering == BrokerOrdering.PerKey
                ? messages.SelectAsyncPartitioned(_concurrency, static m => RecordKey.Of(m.Record.Message.Key, m.Record.Partition.Value, m.Record.Offset.Value), ProcessAsync)
                : messages.SelectAsyncUnordered(_concurrency, ProcessAsync);
        }

        _control = source
            .ToMaterialized(Committer.Sink<ICommittableOffset>(committerSettings), DrainingControl<Done>.Create)
            .Run(materializer);
        Completion = _control.StreamCompletion;

        // A subscription that fails by itself (a dead letter or retry that could not be stored, a consumer that failed)
        // ends with its failure in Completion; it is logged too, for hosts where nobody awaits it.
        _ = Completion.ContinueWith(
            static (done, state) =>
            {
                var self = (KafkaSubscription<T>)state!;
                if (done.Exception is { } failure && !self._stopping.IsCancellationRequested)
                {
                    BrokerLog.SubscriptionFailed(self._broker.Logger, self.Topic, self.Queue, failure.GetBaseException());
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public string Topic { get; }

    public string Queue { get; }

    public BrokerRetryMode Retry { get; }

    public string DeadLetterTopic { get; }

    public BrokerSubscriptionMetrics Metrics { get; } = new();

    public Task Completion { get; }

    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposing after a stop that ran out of time: the cancelled handlers' messages are consumed again.
        }
    }

    public override string ToString() => $"subscription to {Topic} in queue {Queue}";

    private async Task StopCoreAsync()
    {
        try
        {
            var drained = _control.DrainAndShutdown();
            if (await Task.WhenAny(drained, Task.Delay(_options.DrainTimeout, _options.TimeProvider)).ConfigureAwait(false) == drained)
            {
                await drained.ConfigureAwait(false);
                return;
            }

            BrokerLog.DrainTimedOut(_broker.Logger, Topic, Queue, _options.DrainTimeout);
            await _stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await drained.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The stop cancelled those handlers itself, as documented: their offsets stay uncommitted and Completion
                // carries the cancellation; the stop has done its job.
            }
        }
        finally
        {
            _broker.Remove(this);
            _stopping.Dispose();
        }
    }

    // Forever: decode (undecodable: dead letter), then the handler until it succeeds. The offset is passed on only then.
    private async Task<ICommittableOffset> ProcessAsync(CommittableMessage<byte[], byte[]> message)
    {
        var record = message.Record;
        T value;
        try
        {
            value = _codec.Decode<T>(record.Message.Value);
        }
        catch (BrokerCodecException e)
        {
            await DeadLetterAsync(record, new KafkaDeserializationException(record.Topic, record.Partition.Value, record.Offset.Value, MessageComponentType.Value, e))
                .ConfigureAwait(false);
            return message.CommittableOffset;
        }

        var @event = new BrokerEvent<T>(value, record);
        using var span = PipelinesTelemetry.Source.HasListeners() ? ProcessSpan.Start(_spanName, record) : null;
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _handler(@event, _stopping.Token).ConfigureAwait(false);
                Metrics.OnHandled();
                return message.CommittableOffset;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The stop ran out of time: no failure of the message; its offset stays uncommitted.
                throw;
            }
#pragma warning disable CA1031 // Every error of the user's handler is the message's failure, retried below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Metrics.OnFailure();
                span?.AddException(e);
                BrokerLog.HandlerFailed(_broker.Logger, record.Topic, record.Partition.Value, record.Offset.Value, Queue, attempt, backoff, e);
            }

            await Task.Delay(backoff, _options.TimeProvider, _stopping.Token).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.RetryMaxBackoff.Ticks));
        }
    }

    // Route: the route decodes and retries; this runs one attempt in its own span.
    private async Task HandleRoutedAsync(ConsumeResult<byte[], (T Message, byte[] Raw)> typed, CancellationToken cancellationToken)
    {
        var record = new ConsumeResult<byte[], byte[]>
        {
            TopicPartitionOffset = typed.TopicPartitionOffset,
            Message = new Message<byte[], byte[]> { Key = typed.Message.Key, Value = typed.Message.Value.Raw, Headers = typed.Message.Headers, Timestamp = typed.Message.Timestamp },
            IsPartitionEOF = false,
            LeaderEpoch = typed.LeaderEpoch,
        };
        using var span = PipelinesTelemetry.Source.HasListeners() ? ProcessSpan.Start(_spanName, record) : null;
        try
        {
            await _handler(new BrokerEvent<T>(typed.Message.Value.Message, record), cancellationToken).ConfigureAwait(false);
            Metrics.OnHandled();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Metrics.OnFailure();
            if (span is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, e.Message);
                span.AddException(e);
            }

            throw;
        }
    }

    private async Task DeadLetterAsync(ConsumeResult<byte[], byte[]> record, Exception error)
    {
        var failed = new FailedRecord(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime, record.Message.Key, Queue);
        var decision = _policy.Decide(failed, error);
        var headers = RetryHeaders.CopyWithoutRoute(record.Message.Headers);
        FailureHeaders.Write(headers, decision.Failure);
        var letter = new Message<byte[], byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        DeliveryResult<byte[], byte[]> stored;
        try
        {
            stored = await _broker.Producer.ProduceAsync(DeadLetterTopic, letter, _stopping.Token).ConfigureAwait(false);
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            throw new RetryRouteException(
                $"Storing the dead letter of the undecodable record at {record.Topic} [{record.Partition.Value}] @{record.Offset.Value} in \"{DeadLetterTopic}\" failed: "
                + $"{e.Error.Reason}. Its offset is not committed, so it is consumed again; check that the topic exists and the client may write to it.",
                record.Topic,
                record.Partition.Value,
                record.Offset.Value,
                e);
        }

        if (stored.Status != PersistenceStatus.Persisted)
        {
            throw new RetryRouteException(
                $"The broker did not acknowledge the dead letter of the record at {record.Topic} [{record.Partition.Value}] @{record.Offset.Value} in \"{DeadLetterTopic}\" "
                + $"(status {stored.Status}); its offset is not committed. Publish with acks=all.",
                record.Topic,
                record.Partition.Value,
                record.Offset.Value,
                innerException: null);
        }

        Metrics.OnDeadLettered();
        BrokerLog.DeadLettered(_broker.Logger, record.Topic, record.Partition.Value, record.Offset.Value, Queue, DeadLetterTopic, error.InnerException?.Message ?? error.Message);
    }
}
