using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.FrontDoors.Producing;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// go-queue's <c>kq.Pusher</c>: pushes string records to one topic. Records are gathered into chunks, as go-zero's
/// <c>ChunkExecutor</c> does, and a chunk is handed to the client once its keys and values weigh
/// <see cref="KafkaPusherOptions.ChunkSize"/> bytes or <see cref="KafkaPusherOptions.FlushInterval"/> after the last
/// chunk. Chunks reach the client in push order, and up to four wait for their deliveries at once. With
/// <see cref="KafkaPusherOptions.SyncPush"/> every push goes to the client at once.
/// </summary>
/// <remarks>
/// <see cref="PushAsync(string?, string, Headers?, CancellationToken)"/> completes with where the record was stored
/// once the cluster acknowledged it, or faults with a <see cref="KafkaProduceException{TKey, TValue}"/> naming topic,
/// partition and reason. <see cref="Push(string?, string, Headers?)"/> does not wait: a failure of such a record is raised
/// through <see cref="Failed"/> (on the client's delivery thread; keep handlers short) and counted in
/// <see cref="FailedCount"/>, as every failure is. Closing (<see cref="CloseAsync"/>, <c>Dispose</c>) hands every
/// pending record to the client and waits for every delivery. Chunks run in an Akka.Streams graph on the ActorSystem
/// (a <c>ChannelSource</c> into <c>GroupedWeightedWithin</c>), so the flush interval is timed by the system's scheduler.
/// </remarks>
public sealed class KafkaPusher : IAsyncDisposable, IDisposable
{
    /// <summary>How many chunks may wait for their deliveries at once (each was handed to the client in full).</summary>
    internal const int ChunksAwaitingAcks = 4;

    private readonly KafkaPusherOptions _options;
    private readonly BalancedProducer _producer;
    private readonly ILogger _logger;
    // The chunk stage weighs each accepted record, in push order; the records are handed over from _notHandedOver, in the
    // same order (both are written under _writeGate): a chunk of n records hands over the next n. Whoever dequeues a
    // record reports it: the chunk stage as it hands records over, or the pusher when the stage has stopped. (The channel
    // carries the records, not their weights: Akka.Streams would box a long at every stage.)
    private readonly Channel<PushRequest>? _pending;
    private readonly ConcurrentQueue<PushRequest> _notHandedOver = new();
    private readonly Lock _writeGate = new();
    private readonly PendingGate? _gate;
    private readonly TopicPartition _anyPartition;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _unawaitedNow;
    private readonly Task _chunks;
    private readonly InFlight _inFlight = new();
    private readonly Lock _closeGate = new();
    private Task? _closing;
    private long _failed;
    private long _delivered;
    private long _handlerErrors;
    private TopicPartition[] _destinations = [];
    private long _chunkCount;
    private long _lostInStage;
    private volatile bool _closed;

    /// <summary>Creates a pusher on <paramref name="system"/>, with the producer settings of its <c>akka.kafka.producer</c> section under the options.</summary>
    /// <param name="system">The ActorSystem whose materializer runs the chunks and whose configuration holds the producer settings.</param>
    /// <param name="options">The pusher's options.</param>
    /// <param name="logger">Where the client's log lines and errors go; none when null.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong; every problem is listed.</exception>
    public KafkaPusher(ActorSystem system, KafkaPusherOptions options, ILogger? logger = null)
        : this(system, options, CreateProducer(system, options, logger ?? NullLogger.Instance), logger ?? NullLogger.Instance)
    {
    }

    internal KafkaPusher(ActorSystem system, KafkaPusherOptions options, BalancedProducer producer, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _producer = producer;
        _logger = logger;
        _anyPartition = new TopicPartition(options.Topic, Partition.Any);
        _unawaitedNow = UnawaitedHandler(reported: null);
        if (options.SyncPush)
        {
            _chunks = Task.CompletedTask;
            return;
        }

        _pending = Channel.CreateUnbounded<PushRequest>(new UnboundedChannelOptions { SingleReader = true });
        _gate = new PendingGate(options.MaxPending);

        // Chunks are handed to the client one after the other, so records keep their push order; up to
        // ChunksAwaitingAcks of them then wait for their deliveries together, so that the client's pipeline does not run
        // dry between chunks (go-zero's executor, writing synchronously, has one).
        _chunks = ChannelSource.FromReader(_pending.Reader)
            .Select(request =>
            {
                _gate.Leave();
                return request;
            })
            .GroupedWeightedWithin(options.ChunkSize, options.FlushInterval, static request => request.Weight)
            .SelectAsync(1, chunk => HandOverChunkAsync(chunk.Count()))
            .SelectAsync(ChunksAwaitingAcks, static async reported =>
            {
                await reported.Task.ConfigureAwait(false);
                return NotUsed.Instance;
            })

            // Sink.Ignore's task never ends when the ActorSystem stops the stream; the termination watch fails then.
            .WatchTermination(Keep.Right)
            .To(Sink.Ignore<NotUsed>())
            .Run(system.Materializer(namePrefix: "kafka-pusher"));
        _ = _chunks.ContinueWith(
            static (stopped, state) => ((KafkaPusher)state!).OnChunksStopped(stopped),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Raised for every record pushed with <see cref="Push(string?, string, Headers?)"/> that was not stored.</summary>
    /// <remarks>Handlers run on the client's delivery thread: they must be short and must not throw (an exception is logged and counted in <see cref="HandlerErrorCount"/>).</remarks>
    public event EventHandler<PushFailure>? Failed;

    /// <summary>The topic every record goes to.</summary>
    public string Topic => _options.Topic;

    /// <summary>Records that were not stored, whether pushed with <c>Push</c> or <c>PushAsync</c>.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Records acknowledged by the cluster.</summary>
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>Exceptions thrown by <see cref="Failed"/> handlers.</summary>
    public long HandlerErrorCount => Interlocked.Read(ref _handlerErrors);

    /// <summary>Chunks handed to the client so far.</summary>
    internal long ChunkCount => Interlocked.Read(ref _chunkCount);

    /// <summary>Records waiting to be taken into a chunk.</summary>
    internal int PendingCount => _gate?.Count ?? 0;

    /// <summary>Whether a caller waits for room among the pending records.</summary>
    internal bool IsHoldingCallers => _gate?.HasWaiters ?? false;

    /// <summary>Creates the pusher named <paramref name="name"/> in the configuration of <paramref name="system"/> (<c>pipelines.pushers.&lt;name&gt;</c>).</summary>
    /// <exception cref="Pipelines.Configuration.SettingsException">There is no such pusher or a setting is wrong; every problem is listed.</exception>
    public static KafkaPusher Create(ActorSystem system, string name, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new KafkaPusher(system, KafkaPusherOptions.FromConfig(system.Settings.Config, name), logger);
    }

    /// <summary>Pushes a record without a key; completes once it is acknowledged (go-queue's <c>Push</c>, awaited).</summary>
    public Task<Delivery> PushAsync(string value, CancellationToken cancellationToken = default) => PushAsync(null, value, null, cancellationToken);

    /// <summary>
    /// Pushes a record (go-queue's <c>KPush</c>); completes with where it was stored once the cluster acknowledged it.
    /// </summary>
    /// <param name="key">The key (UTF-8), or null.</param>
    /// <param name="value">The value (UTF-8).</param>
    /// <param name="headers">The headers, or null.</param>
    /// <param name="cancellationToken">Stops waiting for room among the pending records; a record once accepted is sent and awaited.</param>
    /// <exception cref="KafkaProduceException{TKey, TValue}">The record was not stored (the task faults with it).</exception>
    /// <exception cref="ObjectDisposedException">The pusher is closed.</exception>
    public async Task<Delivery> PushAsync(string? key, string value, Headers? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var request = new PushRequest(Encode(key), Encoding.UTF8.GetBytes(value), headers, new TaskCompletionSource<Delivery>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_pending is null)
        {
            Accept();
            await SendNowAsync(request).ConfigureAwait(false);
        }
        else
        {
            await EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await request.Promise!.Task.ConfigureAwait(false);
    }

    /// <summary>Pushes a record without a key and without waiting for it (go-queue's <c>Push</c>).</summary>
    public void Push(string value) => Push(null, value, null);

    /// <summary>
    /// Pushes a record without waiting for its delivery; a failure is raised through <see cref="Failed"/> and counted.
    /// Blocks while <see cref="KafkaPusherOptions.MaxPending"/> records wait for their chunk, until half of them are taken.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The pusher is closed.</exception>
    public void Push(string? key, string value, Headers? headers = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var request = new PushRequest(Encode(key), Encoding.UTF8.GetBytes(value), headers, promise: null);
        if (_pending is null)
        {
            Accept();
            _ = SendNowAsync(request);
            return;
        }

        var accepted = EnqueueAsync(request, CancellationToken.None);
        if (!accepted.IsCompleted)
        {
            accepted.AsTask().GetAwaiter().GetResult();
        }
        else
        {
            accepted.GetAwaiter().GetResult();
        }
    }

    /// <summary>Hands every pending record to the client, waits for every delivery, then closes the client. Idempotent.</summary>
    public Task CloseAsync()
    {
        lock (_closeGate)
        {
            return _closing ??= CloseCoreAsync();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(CloseAsync());

    /// <inheritdoc />
    public void Dispose() => CloseAsync().GetAwaiter().GetResult();

    private static ProducerSettings<byte[]?, byte[]?> Settings(ActorSystem system) =>
        ProducerSettings<byte[]?, byte[]?>.Create(system.Settings.Config, null, null);

    private static BalancedProducer CreateProducer(ActorSystem system, KafkaPusherOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return BalancedProducer.Create(options.Apply(Settings(system)), options.Balancer, logger, TimeProvider.System);
    }

    private static byte[]? Encode(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private void Accept()
    {
        _inFlight.Add();
        if (_closed)
        {
            _inFlight.Done();
            throw new ObjectDisposedException(nameof(KafkaPusher), $"The pusher for topic \"{Topic}\" is closed.");
        }
    }

    private async ValueTask EnqueueAsync(PushRequest request, CancellationToken cancellationToken)
    {
        Accept();
        try
        {
            var entering = _gate!.EnterAsync(cancellationToken);
            if (!entering.IsCompletedSuccessfully)
            {
                await entering.ConfigureAwait(false);
            }

            lock (_writeGate)
            {
                if (!_pending!.Writer.TryWrite(request))
                {
                    _gate.Leave();
                    throw new ObjectDisposedException(nameof(KafkaPusher), $"The pusher for topic \"{Topic}\" is closed.");
                }

                _notHandedOver.Enqueue(request);
            }
        }
        catch
        {
            _inFlight.Done();
            throw;
        }
    }

    // Hands every record of the chunk to the client; the result completes once each has its outcome. The records nobody
    // awaits share one delivery handler (a failure is told from the report's own key, value and headers); a record
    // awaited by PushAsync has its own, which completes its promise.
    private async Task<ChunkCountdown> HandOverChunkAsync(int count)
    {
        Interlocked.Increment(ref _chunkCount);
        var reported = new ChunkCountdown(count);

        Exception? missingTopic = null;
        if (!_options.AllowAutoTopicCreation)
        {
            try
            {
                await _producer.EnsureTopicExistsAsync(Topic, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                missingTopic = e;
            }
        }

        // The chunk's records are the next ones not handed over; each is reported once even if the stage stops meanwhile
        // (a record the pusher failed already is only counted here).
        var unawaited = UnawaitedHandler(reported);
        for (var i = 0; i < count; i++)
        {
            if (!_notHandedOver.TryDequeue(out var request))
            {
                reported.Signal();
                continue;
            }

            if (missingTopic is not null)
            {
                Fail(request, request.Promise, missingTopic);
                reported.Signal();
                continue;
            }

            var handler = request.Promise is null ? unawaited : AwaitedHandler(request, reported);
            var sending = SendAsync(request, handler, reported);
            if (!sending.IsCompletedSuccessfully)
            {
                await sending.ConfigureAwait(false);
            }
        }

        return reported;
    }

    // The chunk stage stopped: by a close, once everything was handed over, or because the ActorSystem stopped it. Records
    // it had not handed over fail; later pushes are refused.
    private void OnChunksStopped(Task stopped)
    {
        if (stopped.IsCompletedSuccessfully)
        {
            return;
        }

        _closed = true;
        lock (_writeGate)
        {
            _pending!.Writer.TryComplete();
        }

        _gate!.Close();
        var reason = stopped.Exception?.GetBaseException() ?? new TaskCanceledException(stopped);
        while (_notHandedOver.TryDequeue(out var request))
        {
            Interlocked.Increment(ref _lostInStage);
            Fail(request, request.Promise, new InvalidOperationException(
                $"The pusher for topic \"{Topic}\" stopped before handing this record to the client: its chunk stage ended ({reason.Message}).", reason));
        }
    }

    private async Task SendNowAsync(PushRequest request)
    {
        if (!_options.AllowAutoTopicCreation)
        {
            try
            {
                await _producer.EnsureTopicExistsAsync(Topic, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(request, request.Promise, e);
                return;
            }
        }

        await SendAsync(request, request.Promise is null ? _unawaitedNow : AwaitedHandler(request, reported: null), reported: null).ConfigureAwait(false);
    }

    // Never throws: a record that cannot be placed or that the client refuses fails here; every other outcome reaches
    // the handler.
    private async ValueTask SendAsync(PushRequest request, Action<DeliveryReport<byte[]?, byte[]?>> handler, ChunkCountdown? reported)
    {
        try
        {
            var placing = _producer.PartitionAsync(Topic, request.Key, request.Value, partition: null, CancellationToken.None);
            var partition = placing.IsCompletedSuccessfully ? placing.Result : await placing.ConfigureAwait(false);
            _producer.Produce(Destination(partition), request, handler);
        }
        catch (Exception e)
        {
            Fail(request, request.Promise, e);
            reported?.Signal();
        }
    }

    private Action<DeliveryReport<byte[]?, byte[]?>> UnawaitedHandler(ChunkCountdown? reported) => report =>
    {
        OnReported(report, report.Message, promise: null);
        reported?.Signal();
    };

    private Action<DeliveryReport<byte[]?, byte[]?>> AwaitedHandler(PushRequest request, ChunkCountdown? reported) => report =>
    {
        OnReported(report, request, request.Promise);
        reported?.Signal();
    };

    // The topic's destinations, made once per partition: Confluent takes the destination as an object.
    private TopicPartition Destination(Partition partition)
    {
        if (partition == Partition.Any)
        {
            return _anyPartition;
        }

        var known = Volatile.Read(ref _destinations);
        var index = partition.Value;
        if (index < known.Length && known[index] is { } destination)
        {
            return destination;
        }

        var grown = new TopicPartition[Math.Max(index + 1, known.Length)];
        Array.Copy(known, grown, known.Length);
        grown[index] = new TopicPartition(Topic, partition);
        Volatile.Write(ref _destinations, grown);
        return grown[index];
    }

    private void OnReported(DeliveryReport<byte[]?, byte[]?> report, Message<byte[]?, byte[]?> message, TaskCompletionSource<Delivery>? promise)
    {
        if (report.Error.IsError)
        {
            var record = BalancedProducer.Record(report.TopicPartition, message);
            Fail(message, promise, new KafkaProduceException<byte[]?, byte[]?>(report.Error, record, report.Partition));
            return;
        }

        Interlocked.Increment(ref _delivered);
        promise?.TrySetResult(new Delivery(report.Topic, report.Partition.Value, report.Offset.Value));
        _inFlight.Done();
    }

    private void Fail(Message<byte[]?, byte[]?> message, TaskCompletionSource<Delivery>? promise, Exception exception)
    {
        Interlocked.Increment(ref _failed);
        if (promise is not null)
        {
            promise.TrySetException(exception);
        }
        else
        {
            Raise(message, exception);
        }

        _inFlight.Done();
    }

    private void Raise(Message<byte[]?, byte[]?> message, Exception exception)
    {
        var handler = Failed;
        if (handler is null)
        {
            return;
        }

        var failure = new PushFailure(
            Topic,
            message.Key is null ? null : Encoding.UTF8.GetString(message.Key),
            message.Value is null ? string.Empty : Encoding.UTF8.GetString(message.Value),
            message.Headers,
            exception);
        try
        {
            handler(this, failure);
        }
#pragma warning disable CA1031 // A handler's bug must not stop the client's delivery thread; it is counted and logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _handlerErrors);
            FrontDoorLog.HandlerFailed(_logger, Topic, e);
        }
    }

    private async Task CloseCoreAsync()
    {
        _closed = true;
        _pending?.Writer.TryComplete();
        _gate?.Close();
        try
        {
            try
            {
                await _chunks.ConfigureAwait(false);
            }
            catch (Exception e) when (_pending is not null)
            {
                // Also done by the stage's own continuation, which may not have run yet; the queue hands each record out once.
                OnChunksStopped(_chunks);
                await _inFlight.DrainAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"The pusher for topic \"{Topic}\" stopped before handing {Interlocked.Read(ref _lostInStage)} record(s) to the client (they failed): its chunk "
                    + $"stage ended ({e.Message}), as it does when the ActorSystem stops first. Close pushers before their ActorSystem.",
                    e);
            }

            await _inFlight.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            _producer.Dispose();
        }
    }
}
