using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Delay;

/// <summary>
/// The router's view of the cancellation topic: a <see cref="CancellationRegistry"/> (cancellations only) fed by a
/// consumer on a thread of its own that reads every partition from the beginning (assigned, never in a group, never
/// committing) and keeps reading while the router runs.
/// </summary>
/// <remarks>
/// A due message may be delivered only once every cancel acknowledged before its due time has been read. When the
/// registry is not caught up that far, the router asks for a catch-up (<see cref="Request"/>): the thread notes the
/// router's clock <c>T</c>, then each partition's high watermark, reads up to the marks and marks the registry caught up
/// as of <c>T</c> — every fact acknowledged before <c>T</c> lies below the marks. One catch-up serves every request up to
/// its <c>T</c>; between requests the thread takes whatever facts arrive (waiting at most <c>idle-poll</c> at a time),
/// so a catch-up reads little. The registry is shared with the router's stage under a lock held for single look-ups.
/// </remarks>
internal sealed class RouterCancellationReader : IDisposable
{
    private static readonly TimeSpan CatchUpPoll = TimeSpan.FromMilliseconds(10);

    private readonly string _topic;
    private readonly ConsumerConfig _config;
    private readonly CancellationRegistry _registry;
    private readonly ITimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _idlePoll;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<int, long> _readTo = [];
    private readonly List<DelayFact> _facts = [];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private long _requestedTicks = long.MinValue;
    private long _caughtUpTicks = long.MinValue;
    private long _expired;
    private Exception? _failure;
    private Action? _onProgress;
    private IAdminClient? _admin;
    private bool _listOffsetsUnsupported;

    public RouterCancellationReader(string topic, ConsumerConfig config, CancellationRegistry registry, ITimeProvider clock, TimeSpan timeout, TimeSpan idlePoll, ILogger logger)
    {
        _topic = topic;
        _config = config;
        _registry = registry;
        _clock = clock;
        _timeout = timeout;
        _idlePoll = idlePoll;
        _logger = logger;
    }

    /// <summary>The failure that stopped the reader, if any; the router fails with it.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>The time as of which every acknowledged fact has been read.</summary>
    public DateTimeOffset CaughtUpAsOf
    {
        get
        {
            var ticks = Volatile.Read(ref _caughtUpTicks);
            return ticks == long.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Facts forgotten because their message was due longer ago than the retention margin.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Cancelled messages the registry holds.</summary>
    public int CancelledCount
    {
        get
        {
            lock (_lock)
            {
                return _registry.CancelledCount;
            }
        }
    }

    /// <summary>Completes when the reader's thread has closed its consumer.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Starts reading; <paramref name="onProgress"/> is called (on the reader's thread) after every catch-up and on failure.</summary>
    public void Start(Action onProgress)
    {
        _onProgress = onProgress;
        _thread = new Thread(Run) { IsBackground = true, Name = "pipelines-delay-router-cancellations" };
        _thread.Start();
    }

    /// <summary>What to do with the due message <paramref name="id"/> (see <see cref="CancellationRegistry.DecideDelivery"/>).</summary>
    public DeliveryDecision Decide(DelayMessageId id, DateTimeOffset dueTime)
    {
        lock (_lock)
        {
            return _registry.DecideDelivery(id, dueTime);
        }
    }

    /// <summary>Asks for a catch-up as of at least <paramref name="asOf"/> (a time the router's clock has reached).</summary>
    public void Request(DateTimeOffset asOf)
    {
        var ticks = asOf.UtcTicks;
        long current;
        while (ticks > (current = Volatile.Read(ref _requestedTicks)) && Interlocked.CompareExchange(ref _requestedTicks, ticks, current) != current)
        {
        }

        _wake.Set();
    }

    /// <summary>Stops the thread, which closes its consumer (see <see cref="Stopped"/>).</summary>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
            _wake.Set();
        }
    }

    private void Run()
    {
        IConsumer<byte[], byte[]>? consumer = null;
        try
        {
            consumer = new ConsumerBuilder<byte[], byte[]>(_config)
                .SetErrorHandler((c, error) => DelayQueueLog.ReaderError(_logger, c.Name, error.Code, error.Reason))
                .Build();
            Assign(consumer);
            _admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            while (!_stopping.IsCancellationRequested)
            {
                _wake.Reset();
                if (Volatile.Read(ref _requestedTicks) > Volatile.Read(ref _caughtUpTicks))
                {
                    CatchUp(consumer);
                    continue;
                }

                _wake.Wait(_idlePoll, _stopping.Token);
                Drain(consumer);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Every failure reaches the router's stage, which fails the stream with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _failure, ex is DelayRouterException or DelayRecordException ? ex : new DelayRouterException(
                $"Reading the cancellation topic \"{_topic}\" failed: {ex.Message} The router stops rather than deliver a message whose cancel it cannot read.", ex));
            _onProgress?.Invoke();
        }
        finally
        {
            _admin?.Dispose();
            try
            {
                consumer?.Close();
            }
#pragma warning disable CA1031 // Closing after a failure: the first failure is the one reported.
            catch (KafkaException)
#pragma warning restore CA1031
            {
            }

            consumer?.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void Assign(IConsumer<byte[], byte[]> consumer)
    {
        using var metadata = new DependentAdminClientBuilder(consumer.Handle).Build();
        var topic = metadata.GetMetadata(_topic, _timeout).Topics.FirstOrDefault(t => t.Topic == _topic);
        if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
        {
            var reason = topic is null ? "it is not in the cluster's metadata" : $"{topic.Error.Reason} ({topic.Error.Code})";
            throw new DelayRouterException(
                $"The cancellation topic \"{_topic}\" cannot be read: {reason}. Create it with DelayQueue.EnsureTopicsAsync " +
                "(or with DelayTiers.CancellationTopicSpecification()), or correct pipelines.delay.cancellation.topic.");
        }

        foreach (var partition in topic.Partitions)
        {
            _readTo[partition.PartitionId] = 0;
        }

        consumer.Assign(_readTo.Keys.Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
    }

    private void CatchUp(IConsumer<byte[], byte[]> consumer)
    {
        var started = Stopwatch.GetTimestamp();
        var asOf = _clock.Now;
        var marks = new List<(int Partition, long High)>(_readTo.Count);
        foreach (var (partition, high) in HighWatermarks(consumer))
        {
            if (high > _readTo[partition])
            {
                marks.Add((partition, high));
            }
        }

        while (marks.Exists(m => _readTo[m.Partition] < m.High))
        {
            _stopping.Token.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(started) > _timeout)
            {
                var behind = string.Join(", ", marks.Where(m => _readTo[m.Partition] < m.High).Select(m => $"[{m.Partition}] at {_readTo[m.Partition]} of {m.High}"));
                throw new DelayRouterException(
                    $"Reading the cancellation topic \"{_topic}\" up to its end took longer than {_timeout} (partitions behind: {behind}); due messages cannot be " +
                    "delivered before every cancel acknowledged before their due time is read. Check that the brokers are reachable and the partitions have " +
                    "leaders, or raise pipelines.delay.router.cancellation.catch-up-timeout for a very large topic.");
            }

            var result = consumer.Consume(CatchUpPoll);
            if (result is not null)
            {
                Apply(result);
            }
        }

        Expire(asOf);
        Volatile.Write(ref _caughtUpTicks, asOf.UtcTicks);
        _onProgress?.Invoke();
    }

    /// <summary>
    /// The partitions' high watermarks, asked for after the catch-up's time was noted: one ListOffsets request per leader
    /// (a round trip per partition where the cluster does not answer the admin API's ListOffsets).
    /// </summary>
    private IEnumerable<(int Partition, long High)> HighWatermarks(IConsumer<byte[], byte[]> consumer)
    {
        if (!_listOffsetsUnsupported)
        {
            try
            {
                var specs = _readTo.Keys.Select(p => new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(_topic, p), OffsetSpec = OffsetSpec.Latest() });
                var result = _admin!.ListOffsetsAsync(specs, new ListOffsetsOptions { RequestTimeout = _timeout }).GetAwaiter().GetResult();
                return [.. result.ResultInfos.Select(r => (r.TopicPartitionOffsetError.Partition.Value, r.TopicPartitionOffsetError.Offset.Value))];
            }
            catch (KafkaException ex) when (ex.Error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.InvalidRequest)
            {
                _listOffsetsUnsupported = true;
            }
        }

        return [.. _readTo.Keys.Select(p => (p, consumer.QueryWatermarkOffsets(new TopicPartition(_topic, p), _timeout).High.Value))];
    }

    private void Drain(IConsumer<byte[], byte[]> consumer)
    {
        // Bounded, so that a request waits at most one batch.
        for (var i = 0; i < 10_000; i++)
        {
            var result = consumer.Consume(TimeSpan.Zero);
            if (result is null)
            {
                return;
            }

            Apply(result);
        }
    }

    private void Apply(ConsumeResult<byte[], byte[]> result)
    {
        var partition = result.Partition.Value;
        if (result.IsPartitionEOF)
        {
            // The end position passes over offsets that compaction or retention removed, which records alone never reach.
            _readTo[partition] = Math.Max(_readTo[partition], result.Offset.Value);
            return;
        }

        _facts.Clear();
        CancellationRecords.Read(result.Message.Key, result.Message.Value, _topic, partition, result.Offset.Value, _facts);
        if (_facts.Count > 0 && (_facts[0].Kind == DelayFactKind.Cancelled || _registry.KeepsInformationalFacts))
        {
            var now = _clock.Now;
            lock (_lock)
            {
                foreach (var fact in _facts)
                {
                    if (_registry.Record(fact, now) == FactRecordResult.Full)
                    {
                        throw new DelayRouterException(
                            $"The router's cancellation registry is full ({_registry.MaxEntries} cancelled messages) and cannot keep the cancellation of {fact.Id} " +
                            $"(record {_topic} [{partition}] @{result.Offset.Value}); the router stops rather than deliver a cancelled message. Raise " +
                            "pipelines.delay.cancellation.max-entries, or lower topics.retention-margin so that facts expire sooner.");
                    }
                }
            }
        }

        _readTo[partition] = Math.Max(_readTo[partition], result.Offset.Value + 1);
    }

    private void Expire(DateTimeOffset now)
    {
        int expired;
        lock (_lock)
        {
            _registry.MarkCaughtUp(now);
            expired = _registry.Expire(now);
        }

        if (expired > 0)
        {
            Interlocked.Add(ref _expired, expired);
        }
    }
}
