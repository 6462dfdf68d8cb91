using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.FrontDoors.Producing;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Sarama;

/// <summary>
/// Sarama's <c>SyncProducer</c>: <see cref="SendAsync"/> returns where a message was stored once every in-sync replica
/// has it (<c>acks=all</c>, enforced), or throws why not. Thread-safe; concurrent sends share one client.
/// </summary>
public sealed class SyncProducer : IDisposable
{
    private readonly BalancedProducer _producer;
    private readonly InFlight _inFlight = new();
    private readonly Lock _closeGate = new();
    private Task? _closing;
    private volatile bool _closed;

    /// <summary>Creates a producer with the client properties of <paramref name="system"/>'s <c>akka.kafka.producer</c> section under the options'.</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong, or <c>acks</c> is not <c>all</c>.</exception>
    public SyncProducer(ActorSystem system, SaramaProducerOptions options, ILogger? logger = null)
        : this((system ?? throw new ArgumentNullException(nameof(system))).Settings.Config, options, logger)
    {
    }

    /// <summary>Creates a producer with the client properties of <paramref name="config"/>'s <c>akka.kafka.producer</c> section under the options'.</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong, or <c>acks</c> is not <c>all</c>.</exception>
    public SyncProducer(Config config, SaramaProducerOptions options, ILogger? logger = null)
        : this(SaramaProducers.Create(options, config, logger ?? NullLogger.Instance, requireAcksAll: true))
    {
    }

    internal SyncProducer(BalancedProducer producer)
    {
        _producer = producer;
    }

    /// <summary>
    /// Sends <paramref name="message"/> and returns where it was stored (Sarama's <c>SendMessage</c>); also fills in the
    /// message's <see cref="SaramaMessage.Partition"/> and <see cref="SaramaMessage.Offset"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops waiting for the topic's metadata; a message handed to the client is awaited regardless.</param>
    /// <exception cref="KafkaProduceException{TKey, TValue}">The message was not stored: the reason, the topic and the partition.</exception>
    /// <exception cref="ArgumentException">The manual balancer is used and the message names no partition.</exception>
    /// <exception cref="ObjectDisposedException">The producer is closed.</exception>
    public async Task<Delivery> SendAsync(SaramaMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        _inFlight.Add();
        try
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var record = await _producer.PrepareAsync(message.Topic, message.Key, message.Value, message.Headers, message.Partition, cancellationToken)
                .ConfigureAwait(false);
            var outcome = new TaskCompletionSource<Delivery>(TaskCreationOptions.RunContinuationsAsynchronously);
            _producer.Send(record, delivery => outcome.TrySetResult(delivery), failure => outcome.TrySetException(failure));
            var stored = await outcome.Task.ConfigureAwait(false);
            SaramaProducers.Stored(message, stored);
            return stored;
        }
        finally
        {
            _inFlight.Done();
        }
    }

    /// <summary>
    /// Sends every message and waits for all of them (Sarama's <c>SendMessages</c>); returns their deliveries in order, or
    /// throws a <see cref="ProducerErrorsException"/> listing each message that was not stored (the others were).
    /// </summary>
    /// <exception cref="ProducerErrorsException">Some messages were not stored.</exception>
    public async Task<IReadOnlyList<Delivery>> SendMessagesAsync(IEnumerable<SaramaMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var sends = list.Select(m => SendAsync(m, cancellationToken)).ToList();
        try
        {
            return await Task.WhenAll(sends).ConfigureAwait(false);
        }
        catch (Exception) when (sends.Any(s => s.IsFaulted || s.IsCanceled))
        {
            var errors = new List<ProducerError>();
            for (var i = 0; i < sends.Count; i++)
            {
                if (sends[i].IsFaulted)
                {
                    errors.Add(new ProducerError(list[i], sends[i].Exception!.InnerException!));
                }
                else if (sends[i].IsCanceled)
                {
                    errors.Add(new ProducerError(list[i], new OperationCanceledException(cancellationToken)));
                }
            }

            throw new ProducerErrorsException(errors);
        }
    }

    /// <summary>Waits for every send in progress, then closes the client (Sarama's <c>Close</c>). Idempotent.</summary>
    public Task CloseAsync()
    {
        lock (_closeGate)
        {
            return _closing ??= CloseCoreAsync();
        }
    }

    /// <inheritdoc />
    public void Dispose() => CloseAsync().GetAwaiter().GetResult();

    private async Task CloseCoreAsync()
    {
        _closed = true;
        try
        {
            await _inFlight.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            _producer.Dispose();
        }
    }
}
