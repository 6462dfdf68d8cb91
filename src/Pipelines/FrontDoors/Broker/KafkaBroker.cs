using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.Delay;
using Pipelines.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// <see cref="IKafkaBroker"/> on the connector: one producer client for every publish (and the dead letters), and per
/// subscription a committable source of the topic in the queue's consumer group, the handler, and a committer that
/// commits through the offset ledger, so an offset is committed only after its message was handled (or dead-lettered).
/// </summary>
/// <remarks>
/// Producer properties come from <c>akka.kafka.producer</c>, consumer properties from <c>akka.kafka.consumer</c>, the
/// committer from <c>akka.kafka.committer</c>, retries under <see cref="BrokerRetryMode.Route"/> from <c>pipelines.retry</c>
/// and <c>pipelines.delay</c>, all in the ActorSystem's configuration, with the broker's options over them.
/// </remarks>
public sealed class KafkaBroker : IKafkaBroker
{
    private readonly ActorSystem _system;
    private readonly ProducerSettings<byte[], byte[]> _producerSettings;
    private readonly ConsumerSettings<byte[], byte[]> _consumerSettings;
    private readonly CommitterSettings _committerSettings;
    private readonly RetrySettings _retrySettings;
    private readonly ProducerTelemetry _telemetry;
    private readonly IMaterializer _materializer;
    private readonly ConcurrentDictionary<IKafkaSubscription, byte> _subscriptions = new();
    private readonly Lazy<DelayQueue> _delayQueue;
    private readonly Lock _gate = new();
    private long _inFlight;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _stopping;
    private volatile bool _stopped;
    private volatile bool _closed;

    /// <summary>Creates a broker on <paramref name="system"/> with <paramref name="options"/> (validated here).</summary>
    /// <param name="system">The ActorSystem whose materializer runs the subscriptions and whose configuration holds the client settings.</param>
    /// <param name="options">The broker's options.</param>
    /// <param name="logger">Where handler failures, dead letters and the clients' log lines go; none when null.</param>
    /// <param name="name">The broker's name, for logs.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option, or a setting it applies to, is wrong; every problem is listed.</exception>
    public KafkaBroker(ActorSystem system, KafkaBrokerOptions options, ILogger? logger = null, string name = "default")
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _system = system;
        Options = options;
        Name = name;
        Logger = logger ?? NullLogger.Instance;
        var config = system.Settings.Config;
        _producerSettings = options.Apply(ProducerSettings<byte[], byte[]>.Create(config, null, null));
        _consumerSettings = options.Apply(ConsumerSettings<byte[], byte[]>.Create(config, null, null));
        _committerSettings = CommitterSettings.Create(config);
        _retrySettings = RetrySettings.Create(config);
        Producer = KafkaProducer.CreateProducer(_producerSettings, Logger);
        _telemetry = new ProducerTelemetry(_producerSettings.GetProperty("client.id"));
        _materializer = system.Materializer(namePrefix: "kafka-broker-" + name);
        _delayQueue = new Lazy<DelayQueue>(() => new DelayQueue(DelaySettings.Create(config), _producerSettings, Producer));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public KafkaBrokerOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<IKafkaSubscription> Subscriptions => [.. _subscriptions.Keys];

    /// <summary>The producer client of publishes and dead letters.</summary>
    internal IProducer<byte[], byte[]> Producer { get; }

    /// <summary>The delay queue of non-blocking retries (<see cref="BrokerRetryMode.Route"/>), made on first use.</summary>
    internal DelayQueue DelayQueue => _delayQueue.Value;

    internal ILogger Logger { get; }

    /// <summary>Creates the broker named <paramref name="name"/> in the configuration of <paramref name="system"/> (<c>pipelines.brokers.&lt;name&gt;</c>).</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">There is no such broker or a setting is wrong; every problem is listed.</exception>
    public static KafkaBroker Create(ActorSystem system, string name, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new KafkaBroker(system, KafkaBrokerOptions.FromConfig(system.Settings.Config, name), logger, name);
    }

    /// <inheritdoc />
    public Task<Delivery> PublishAsync<T>(
        string topic,
        T message,
        IReadOnlyDictionary<string, string>? headers = null,
        string? key = null,
        BrokerCodec? codec = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        cancellationToken.ThrowIfCancellationRequested();
        var value = (codec ?? Options.Codec).Encode(message);
        Headers? sent = null;
        if (headers is { Count: > 0 })
        {
            sent = [];
            foreach (var (name, text) in headers)
            {
                sent.Add(name, text is null ? null : Encoding.UTF8.GetBytes(text));
            }
        }

        // Made on the caller's thread: the record remembers the caller's activity, the parent of its send span.
        var record = new ProducerRecord<byte[], byte[]>(topic, key is null ? null! : Encoding.UTF8.GetBytes(key), value) { Headers = sent };
        var promise = new TaskCompletionSource<Delivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enter(topic);
        var span = ProducerTelemetry.IsTracing ? _telemetry.StartSend(record, default) : null;
        try
        {
            Producer.Produce(topic, record, report =>
            {
                try
                {
                    if (span is not null)
                    {
                        // Ends the send span on the client's thread (SendSpan does this for the connector's stages).
                        new SendSpan<byte[], byte[]>(span, static _ => { }).OnDelivered(report);
                    }

                    _telemetry.Delivered(report);
                    if (report.Error.IsError)
                    {
                        promise.TrySetException(new KafkaProduceException<byte[], byte[]>(report.Error, record, report.Partition));
                    }
                    else
                    {
                        promise.TrySetResult(new Delivery(report.Topic, report.Partition.Value, report.Offset.Value));
                    }
                }
                finally
                {
                    Leave();
                }
            });
        }
        catch (KafkaException e)
        {
            if (span is not null)
            {
                SendSpan<byte[], byte[]>.Abandon(span, ErrorCodeNames.Of(e.Error.Code), e.Error.Reason);
            }

            _telemetry.Failed(topic, e.Error.Code);
            Leave();
            return Task.FromException<Delivery>(new KafkaProduceException<byte[], byte[]>(e.Error, record, Partition.Any, e));
        }

        return promise.Task;
    }

    /// <inheritdoc />
    public IKafkaSubscription Subscribe<T>(string topic, string queue, Func<BrokerEvent<T>, CancellationToken, Task> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new SubscribeOptions();
        KafkaBrokerOptions.Validate(options, topic, queue);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            var subscription = new KafkaSubscription<T>(this, topic, queue, handler, options, _consumerSettings, _committerSettings, _retrySettings, _materializer);
            _subscriptions.TryAdd(subscription, 0);
            return subscription;
        }
    }

    /// <summary>Subscribes a handler without cancellation token (Kratos' <c>broker.Handler</c>).</summary>
    /// <inheritdoc cref="Subscribe{T}(string, string, Func{BrokerEvent{T}, CancellationToken, Task}, SubscribeOptions?)"/>
    public IKafkaSubscription Subscribe<T>(string topic, string queue, Func<BrokerEvent<T>, Task> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe<T>(topic, queue, (e, _) => handler(e), options);
    }

    /// <inheritdoc />
    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopped = true;
            return _stopping ??= StopCoreAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"broker {Name}";

    internal void Remove(IKafkaSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    // Publishes stay possible while the subscriptions drain (handlers may publish); once the client is closing, none is taken.
    private void Enter(string topic)
    {
        Interlocked.Increment(ref _inFlight);
        if (_closed)
        {
            Leave();
            throw new ObjectDisposedException(nameof(KafkaBroker), $"{this} is stopped: the message for \"{topic}\" was not published.");
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _closed)
        {
            _idle.TrySetResult();
        }
    }

    private async Task StopCoreAsync()
    {
        var errors = new List<Exception>();
        foreach (var subscription in _subscriptions.Keys)
        {
            try
            {
                await subscription.StopAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every subscription is stopped; their failures are reported together below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                errors.Add(e);
            }
        }

        // Publishes already handed to the client are awaited (at most the producer's flush timeout), then the client closes.
        _closed = true;
        if (Interlocked.Read(ref _inFlight) == 0)
        {
            _idle.TrySetResult();
        }

        try
        {
            await Task.Run(() => Producer.Flush(_producerSettings.FlushTimeout)).ConfigureAwait(false);
            await _idle.Task.WaitAsync(_producerSettings.FlushTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            errors.Add(new TimeoutException(
                $"{Interlocked.Read(ref _inFlight)} published messages of {this} were not acknowledged within flush-timeout ({_producerSettings.FlushTimeout}); "
                + "their PublishAsync tasks fail as the client closes."));
        }
        finally
        {
            if (_delayQueue.IsValueCreated)
            {
                await _delayQueue.Value.DisposeAsync().ConfigureAwait(false);
            }

            Producer.Dispose();
        }

        if (errors.Count > 0)
        {
            throw new AggregateException($"Stopping {this} failed; unfinished messages of its subscriptions are consumed again.", errors);
        }
    }
}
