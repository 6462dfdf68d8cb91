using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.FrontDoors.Producing;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Sarama;

/// <summary>
/// Sarama's <c>AsyncProducer</c>: messages written to <see cref="Input"/> are sent in the background; stored ones come
/// back on <see cref="Successes"/> (when <see cref="SaramaProducerOptions.ReturnSuccesses"/>), failed ones on
/// <see cref="Errors"/> (when <see cref="SaramaProducerOptions.ReturnErrors"/>, else through <see cref="Failed"/>).
/// </summary>
/// <remarks>
/// <para>A reader that does not drain: nothing is ever dropped, and nothing deadlocks. Messages in flight plus results
/// waiting unread in <see cref="Successes"/> and <see cref="Errors"/> together never exceed
/// <see cref="SaramaProducerOptions.ChannelBufferSize"/>; at that bound the producer stops taking messages from
/// <see cref="Input"/>, which then fills (another <c>ChannelBufferSize</c>) and makes writers wait (back-pressure) until a
/// result is read. Unlike Sarama, an unread channel never blocks the client's delivery thread.</para>
/// <para><see cref="CloseAsync"/> completes <see cref="Input"/>, sends what it still holds (past the bound, which no longer
/// matters), waits for every delivery, then completes <see cref="Successes"/> and <see cref="Errors"/>: their readers
/// still get every result buffered, and their <c>Completion</c> finishes once those are read. Writers still waiting on
/// <see cref="Input"/> get a <see cref="ChannelClosedException"/>.</para>
/// </remarks>
public sealed class AsyncProducer : IAsyncDisposable, IDisposable
{
    private readonly BalancedProducer _producer;
    private readonly SaramaProducerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<SaramaMessage> _input;
    private readonly Channel<(SaramaMessage, bool)> _successes;
    private readonly Channel<(ProducerError, bool)> _errors;
    private readonly SemaphoreSlim _permits;
    private readonly CancellationTokenSource _closing = new();
    private readonly InFlight _inFlight = new();
    private readonly Task _pump;
    private readonly Lock _closeGate = new();
    private Task? _closed;
    private long _succeeded;
    private long _failed;
    private long _handlerErrors;

    /// <summary>Creates a producer with the client properties of <paramref name="system"/>'s <c>akka.kafka.producer</c> section under the options'.</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong.</exception>
    public AsyncProducer(ActorSystem system, SaramaProducerOptions options, ILogger? logger = null)
        : this((system ?? throw new ArgumentNullException(nameof(system))).Settings.Config, options, logger)
    {
    }

    /// <summary>Creates a producer with the client properties of <paramref name="config"/>'s <c>akka.kafka.producer</c> section under the options'.</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong.</exception>
    public AsyncProducer(Config config, SaramaProducerOptions options, ILogger? logger = null)
        : this(SaramaProducers.Create(options, config, logger ?? NullLogger.Instance, requireAcksAll: false), options, logger ?? NullLogger.Instance)
    {
    }

    internal AsyncProducer(BalancedProducer producer, SaramaProducerOptions options, ILogger logger)
    {
        _producer = producer;
        _options = options;
        _logger = logger;
        _input = Channel.CreateBounded<SaramaMessage>(new BoundedChannelOptions(options.ChannelBufferSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Unbounded underneath, bounded by the permits: a delivery report is written at once and never waits.
        _successes = Channel.CreateUnbounded<(SaramaMessage, bool)>(new UnboundedChannelOptions { SingleWriter = false });
        _errors = Channel.CreateUnbounded<(ProducerError, bool)>(new UnboundedChannelOptions { SingleWriter = false });
        _permits = new SemaphoreSlim(options.ChannelBufferSize, options.ChannelBufferSize);
        Successes = new PermitReleasingReader<SaramaMessage>(_successes.Reader, _permits);
        Errors = new PermitReleasingReader<ProducerError>(_errors.Reader, _permits);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Raised for each failed message when <see cref="SaramaProducerOptions.ReturnErrors"/> is false (on the client's delivery thread; keep handlers short).</summary>
    public event EventHandler<ProducerError>? Failed;

    /// <summary>Where messages are written (Sarama's <c>Input()</c>); bounded, writers wait when it is full.</summary>
    public ChannelWriter<SaramaMessage> Input => _input.Writer;

    /// <summary>Stored messages, with their partition and offset filled in (Sarama's <c>Successes()</c>); nothing when <see cref="SaramaProducerOptions.ReturnSuccesses"/> is false.</summary>
    public ChannelReader<SaramaMessage> Successes { get; }

    /// <summary>Failed messages with their reasons (Sarama's <c>Errors()</c>); nothing when <see cref="SaramaProducerOptions.ReturnErrors"/> is false.</summary>
    public ChannelReader<ProducerError> Errors { get; }

    /// <summary>Messages stored so far.</summary>
    public long SuccessCount => Interlocked.Read(ref _succeeded);

    /// <summary>Messages that failed so far.</summary>
    public long ErrorCount => Interlocked.Read(ref _failed);

    /// <summary>Exceptions thrown by <see cref="Failed"/> handlers.</summary>
    public long HandlerErrorCount => Interlocked.Read(ref _handlerErrors);

    /// <summary>Messages waiting in <see cref="Input"/>.</summary>
    internal int InputCount => _input.Reader.Count;

    /// <summary>Writes <paramref name="message"/> to <see cref="Input"/>, waiting while it is full.</summary>
    /// <exception cref="ChannelClosedException">The producer is closing or closed.</exception>
    public ValueTask SendAsync(SaramaMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_options.ReturnErrors is false && Failed is null)
        {
            throw new InvalidOperationException(
                "ReturnErrors is false and no Failed handler is attached, so a failed message would go unnoticed: attach a handler to Failed or set ReturnErrors.");
        }

        return _input.Writer.WriteAsync(message, cancellationToken);
    }

    /// <summary>Sends what <see cref="Input"/> holds, waits for every delivery, then completes <see cref="Successes"/> and <see cref="Errors"/> (Sarama's <c>Close</c>). Idempotent.</summary>
    public Task CloseAsync()
    {
        lock (_closeGate)
        {
            return _closed ??= CloseCoreAsync();
        }
    }

    /// <summary>Like <see cref="CloseAsync"/>, waiting on the calling thread.</summary>
    public void Close() => CloseAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(CloseAsync());

    /// <inheritdoc />
    public void Dispose() => Close();

    private async Task PumpAsync()
    {
        // The permit is taken before the message leaves Input, so that at the bound Input holds exactly its capacity.
        var reader = _input.Reader;
        while (true)
        {
            var holdsPermit = await TakePermitAsync().ConfigureAwait(false);
            if (!await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (holdsPermit)
                {
                    _permits.Release();
                }

                return;
            }

            if (!reader.TryRead(out var message))
            {
                if (holdsPermit)
                {
                    _permits.Release();
                }

                continue;
            }

            _inFlight.Add();
            await SendAsync(message, holdsPermit).ConfigureAwait(false);
        }
    }

    // Once closing, the messages left in Input are sent without a permit, so that closing never waits for a reader.
    private async ValueTask<bool> TakePermitAsync()
    {
        try
        {
            await _permits.WaitAsync(_closing.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // Never throws: every message ends in Successes, Errors or Failed.
    private async ValueTask SendAsync(SaramaMessage message, bool holdsPermit)
    {
        try
        {
            var record = await _producer.PrepareAsync(message.Topic, message.Key, message.Value, message.Headers, message.Partition, CancellationToken.None)
                .ConfigureAwait(false);
            _producer.Send(record, delivery => Succeed(message, delivery, holdsPermit), failure => Fail(message, failure, holdsPermit));
        }
        catch (Exception e)
        {
            Fail(message, e, holdsPermit);
        }
    }

    private void Succeed(SaramaMessage message, Delivery delivery, bool holdsPermit)
    {
        SaramaProducers.Stored(message, delivery);
        Interlocked.Increment(ref _succeeded);
        if (_options.ReturnSuccesses)
        {
            _successes.Writer.TryWrite((message, holdsPermit));
        }
        else if (holdsPermit)
        {
            _permits.Release();
        }

        _inFlight.Done();
    }

    private void Fail(SaramaMessage message, Exception exception, bool holdsPermit)
    {
        Interlocked.Increment(ref _failed);
        var error = new ProducerError(message, exception);
        if (_options.ReturnErrors)
        {
            _errors.Writer.TryWrite((error, holdsPermit));
        }
        else
        {
            if (holdsPermit)
            {
                _permits.Release();
            }

            Raise(error);
        }

        _inFlight.Done();
    }

    private void Raise(ProducerError error)
    {
        var handler = Failed;
        if (handler is null)
        {
            // Only reachable by writing to Input directly (SendAsync refuses without a handler): counted and logged.
            FrontDoorLog.UnhandledFailure(_logger, error.Message.Topic, error.Exception);
            return;
        }

        try
        {
            handler(this, error);
        }
#pragma warning disable CA1031 // A handler's bug must not stop the client's delivery thread; it is counted and logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _handlerErrors);
            FrontDoorLog.HandlerFailed(_logger, error.Message.Topic, e);
        }
    }

    private async Task CloseCoreAsync()
    {
        _input.Writer.TryComplete();
        await _closing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
            await _inFlight.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            _successes.Writer.TryComplete();
            _errors.Writer.TryComplete();
            _producer.Dispose();
            _closing.Dispose();
        }
    }
}
