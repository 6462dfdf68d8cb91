using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka.Native;

namespace Pipelines.Kafka;

/// <summary>
/// Owns one Kafka consumer on a dedicated thread (the poll thread) and feeds bounded per-partition buffers that the
/// source stages read. The poll thread never waits for downstream: a partition whose buffer is full is paused and resumed
/// when it drains, so polling (and group membership) goes on however slow the graph is.
/// </summary>
/// <remarks>
/// <para>
/// Everything that touches the Confluent consumer runs on the poll thread, since the client is not thread-safe: polling,
/// pausing, the rebalance callbacks, and commits. Other threads talk to it through lock-free queues (completions, commit
/// requests) and wake it from a blocking poll with <see cref="ConsumerWakeup"/>.
/// </para>
/// <para>
/// Offsets: when <see cref="ConsumerActorOptions.TrackOffsets"/> is set, each record is registered in its partition's
/// <see cref="OffsetLedger"/> as it is buffered; completions (a committer saw the offset, or <c>MarkProcessed</c>) are queued
/// and applied by the poll thread; a commit sends, per owned partition, the ledger's commit position when it moved. On
/// revocation the completions are applied and the revoked partitions' positions committed synchronously inside the
/// callback, before the partitions go to another consumer; their ledgers then start a new epoch, so late completions are
/// ignored, and their buffered records are dropped.
/// </para>
/// <para>
/// Errors: fatal client errors, undeserializable records and failures of the poll thread fail every reader and
/// <see cref="Completion"/>; retriable errors (broker down, coordinator moved, request timeouts) are logged and retried,
/// commits with backoff until the commit timeout.
/// </para>
/// </remarks>
internal sealed partial class KafkaConsumerActor<TKey, TValue> : IOffsetCommitter, IConsumerPollLoop, IConsumerActor
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxCommitBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FallbackPollTimeout = TimeSpan.FromMilliseconds(10);

    private readonly ConsumerConfig _config;
    private readonly IDeserializer<TKey>? _keyDeserializer;
    private readonly IDeserializer<TValue>? _valueDeserializer;
    private readonly Subscription _subscription;
    private readonly IPartitionAssignmentHandler? _handler;
    private readonly ConsumerActorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly long _resumeThreshold;

    private readonly ConcurrentQueue<CommittableOffset> _completions = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Channel<BufferedRecord<TKey, TValue>>? _merged;
    private readonly Channel<ConsumerReader<TKey, TValue>>? _assignedPartitions;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Poll-thread state.
    private readonly Dictionary<TopicPartition, Partition> _partitions = [];
    private readonly List<TaskCompletionSource> _commitWaiters = [];
    private readonly List<(TopicPartitionOffset Offset, TaskCompletionSource Waiter)> _explicitCommits = [];
    private readonly List<TopicPartition> _toPause = [];
    private readonly List<TopicPartition> _toResume = [];
    private readonly List<PartitionState> _over = [];
    private readonly BufferGauge? _total;
    private readonly ManualResetEventSlim _wakeEvent = new(false);
    private long _lastPoll;
    private bool _mergedOver;
    private long _mergedOverSince;
    private long _mergedTakenMark;
    private IConsumer<TKey, TValue>? _consumer;
    private ConsumerWakeup? _wakeup;
    private TimeSpan _pollTimeout;
    private Partition? _lastPartition;
    private long _commitFirstAttempt;
    private long _nextCommitAttempt;
    private TimeSpan _commitBackoff;
    private long _lastHousekeeping;
    private long _batchTimestamp;
    private bool _stopped;
    private bool _inFlightPaused;
    private Dictionary<TopicPartition, Offset>? _seeksDuringAssign;

    // Shared state.
    private volatile Exception? _fatal;
    private volatile bool _stopRequested;
    private volatile bool _shutdownRequested;
    private volatile bool _terminated;
    private volatile PartitionState[] _assigned = [];
    private int _wakePending;
    private int _started;
    private long _recordsReceived;
    private long _pauses;
    private long _resumes;
    private long _commits;
    private long _commitRetries;
    private long _commitFailures;
    private long _rebalances;

    public KafkaConsumerActor(
        ConsumerConfig config,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        Subscription subscription,
        ConsumerActorOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightPerPartition, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPollRecords, 1);

        _config = new ConsumerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value));
        if (options.TrackOffsets)
        {
            // Offsets are committed from the ledger only; an auto-commit would commit records that are still running.
            _config.EnableAutoCommit = false;
            _config.EnableAutoOffsetStore = false;
        }

        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _subscription = subscription;
        _handler = (subscription as AutoSubscription)?.AssignmentHandler;
        _options = options;
        _logger = options.Logger;
        _time = options.TimeProvider;
        _name = _config.ClientId ?? _config.GroupId ?? "consumer";
        GroupId = _config.GroupId ?? string.Empty;
        _resumeThreshold = Math.Max(0, options.BufferSize / 2);
        _pollTimeout = options.PollTimeout;

        var channelOptions = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false };
        if (options.Partitioned)
        {
            _assignedPartitions = Channel.CreateUnbounded<ConsumerReader<TKey, TValue>>(channelOptions);
        }
        else
        {
            _merged = Channel.CreateUnbounded<BufferedRecord<TKey, TValue>>(channelOptions);
            _total = new BufferGauge();
            Reader = new ConsumerReader<TKey, TValue>(_merged.Reader, this, _total, partition: null);
        }
    }

    public string GroupId { get; }

    /// <summary>The reader of all partitions (non-partitioned mode), or <see langword="null"/>.</summary>
    public ConsumerReader<TKey, TValue>? Reader { get; }

    /// <summary>One reader per assigned partition, in assignment order (partitioned mode), or <see langword="null"/>.</summary>
    public ChannelReader<ConsumerReader<TKey, TValue>>? AssignedPartitions => _assignedPartitions?.Reader;

    /// <summary>Completes when the consumer is closed; faults with the error that stopped it.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Whether the consumer has shut down (cleanly or not).</summary>
    public bool IsShutdown => _terminated;

    /// <summary>A snapshot of the counters and of the assigned partitions.</summary>
    public ConsumerMetrics Metrics
    {
        get
        {
            var partitions = new Dictionary<TopicPartition, PartitionMetrics>();
            foreach (var state in _assigned)
            {
                partitions[state.TopicPartition] = new PartitionMetrics(
                    state.Lag, state.Buffered, state.PublishedInFlight, state.PublishedCommitted, state.Paused);
            }

            return new ConsumerMetrics(
                Volatile.Read(ref _recordsReceived),
                Volatile.Read(ref _pauses),
                Volatile.Read(ref _resumes),
                Volatile.Read(ref _commits),
                Volatile.Read(ref _commitRetries),
                Volatile.Read(ref _commitFailures),
                Volatile.Read(ref _rebalances),
                partitions);
        }
    }

    /// <summary>Starts the poll thread (once).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        var thread = new Thread(Run) { IsBackground = true, Name = $"kafka-poll-{_name}" };
        thread.Start();
    }

    /// <summary>Stops handing out records (buffers complete, partitions pause); commits are still served.</summary>
    public void Stop()
    {
        _stopRequested = true;
        Wake();
    }

    /// <summary>
    /// Stops at once and shuts down after <paramref name="grace"/>, or sooner when the consumer ends: what a source does when
    /// its stream is cancelled or fails, so that committers downstream get stop-timeout to finish. The consumer's own
    /// failure, if any, is reported through the control, not here.
    /// </summary>
    public async Task StopThenShutdownAsync(TimeSpan grace)
    {
        Stop();
        if (grace > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(grace, _time), Completion).ConfigureAwait(false);
        }

        await ShutdownAsync().ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Commits what is processed, closes the client (leaving the group) and completes <see cref="Completion"/>.</summary>
    public Task ShutdownAsync()
    {
        _stopRequested = true;
        _shutdownRequested = true;
        if (Volatile.Read(ref _started) == 0)
        {
            // Never started: nothing to close.
            Terminate(null);
        }

        Wake();
        return Completion;
    }

    public void MarkProcessed(CommittableOffset offset)
    {
        _completions.Enqueue(offset);
        if (_inFlightPaused)
        {
            Wake();
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new CommitRequest(waiter));
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <summary>Commits exactly the given positions (next offsets to read), bypassing the ledgers (at-most-once delivery).</summary>
    public Task CommitPositionAsync(TopicPartitionOffset position, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new ExplicitCommitRequest(position, waiter));
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    public void RequestResume() => Wake();

    private void Enqueue(Request request)
    {
        _requests.Enqueue(request);
        if (_terminated)
        {
            // The poll thread may have drained the queue for the last time already.
            FailPendingRequests(TerminatedException());
            return;
        }

        Wake();
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            // The loop either blocks in the client's poll (yield) or waits for a buffer to drain (event).
            _wakeup?.Wake();
            _wakeEvent.Set();
        }
    }

    private void Run()
    {
        try
        {
            _consumer = Build();
            _wakeup = ConsumerWakeup.Attach(_consumer);
            if (!_wakeup.IsSupported)
            {
                _pollTimeout = _options.PollTimeout < FallbackPollTimeout ? _options.PollTimeout : FallbackPollTimeout;
                KafkaLog.NoWakeup(_logger, _name, _pollTimeout);
            }

            ApplySubscription();
            while (true)
            {
                // Full fence: requests enqueued before this point are seen below; later ones wake the next poll.
                _wakeEvent.Reset();
                Interlocked.Exchange(ref _wakePending, 0);
                if (_fatal is { } fatal)
                {
                    throw fatal;
                }

                _batchTimestamp = _time.GetTimestamp();
                DrainRequests();
                ApplyCompletions();
                if (_stopRequested && !_stopped)
                {
                    EnterStopped();
                }

                ServiceCommits(final: false);
                if (_shutdownRequested)
                {
                    break;
                }

                UpdatePauses();
                Housekeeping();
                if (IsThrottled)
                {
                    Throttled();
                }
                else
                {
                    Poll();
                }
            }

            ShutdownGracefully();
            Terminate(null);
        }
#pragma warning disable CA1031 // The poll thread's last line of defence: every failure is handed to the stream, none is swallowed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CloseAfterFailure();
            Terminate(ex);
        }
    }

    private IConsumer<TKey, TValue> Build()
    {
        var builder = new ConsumerBuilder<TKey, TValue>(_config)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .SetStatisticsHandler(OnStatistics);
        if (_keyDeserializer is not null)
        {
            builder.SetKeyDeserializer(_keyDeserializer);
        }

        if (_valueDeserializer is not null)
        {
            builder.SetValueDeserializer(_valueDeserializer);
        }

        if (_subscription is AutoSubscription)
        {
            builder.SetPartitionsAssignedHandler(OnPartitionsAssigned)
                .SetPartitionsRevokedHandler(OnPartitionsRevoked)
                .SetPartitionsLostHandler(OnPartitionsLost);
        }

        return builder.Build();
    }

    private void ApplySubscription()
    {
        var consumer = _consumer!;
        switch (_subscription)
        {
            case TopicSubscription topics:
                consumer.Subscribe(topics.Topics);
                break;
            case TopicPatternSubscription pattern:
                consumer.Subscribe(pattern.Pattern);
                break;
            case AssignmentSubscription assignment:
                AssignManually([.. assignment.Partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset))]);
                break;
            case AssignmentWithOffsetSubscription withOffset:
                AssignManually(withOffset.Offsets);
                break;
            case AssignmentOffsetsForTimesSubscription forTimes:
                AssignManually(consumer.OffsetsForTimes(forTimes.Timestamps, _options.CommitTimeout));
                break;
            default:
                throw new NotSupportedException($"Unknown subscription {_subscription}.");
        }
    }

    private void AssignManually(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        var list = offsets.ToList();
        if (_options.OffsetsOnAssign is { } chooser)
        {
            var chosen = chooser(list.Select(o => o.TopicPartition).ToHashSet());
            list = [.. list.Select(o => chosen.TryGetValue(o.TopicPartition, out var offset) ? new TopicPartitionOffset(o.TopicPartition, offset) : o)];
        }

        StartAssignment(list.Select(o => o.TopicPartition));
        _consumer!.Assign(list);
    }

    private void EnterStopped()
    {
        _stopped = true;
        _merged?.Writer.TryComplete();
        if (_assignedPartitions is not null)
        {
            _assignedPartitions.Writer.TryComplete();
            foreach (var partition in _partitions.Values)
            {
                partition.Channel?.Writer.TryComplete();
            }
        }
    }

    private void OnError(IConsumer<TKey, TValue> consumer, Error error)
    {
        if (error.IsFatal)
        {
            KafkaLog.FatalError(_logger, _name, error.Code, error.Reason);
            _fatal ??= new KafkaException(error);
        }
        else
        {
            KafkaLog.RetriableError(_logger, _name, error.Code, error.Reason);
        }
    }

    private void OnLog(IConsumer<TKey, TValue> consumer, LogMessage message)
    {
        switch (message.Level)
        {
            case <= SyslogLevel.Warning:
                KafkaLog.ClientWarning(_logger, message.Name, message.Facility, message.Message);
                break;
            case SyslogLevel.Notice:
                KafkaLog.ClientInfo(_logger, message.Name, message.Facility, message.Message);
                break;
            default:
                KafkaLog.ClientDebug(_logger, message.Name, message.Facility, message.Message);
                break;
        }
    }

    private void OnStatistics(IConsumer<TKey, TValue> consumer, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("topics", out var topics))
            {
                return;
            }

            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions))
                {
                    continue;
                }

                foreach (var entry in partitions.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 0)
                    {
                        continue;
                    }

                    if (_partitions.TryGetValue(new TopicPartition(topic.Name, number), out var partition)
                        && entry.Value.TryGetProperty("consumer_lag", out var lag) && lag.TryGetInt64(out var value))
                    {
                        partition.State.Lag = value;
                    }
                }
            }
        }
        catch (JsonException ex)
        {
            KafkaLog.StatisticsUnreadable(_logger, _name, ex.Message);
        }
    }

    private void ShutdownGracefully()
    {
        ApplyCompletions();
        if (_options.TrackOffsets && (_commitWaiters.Count > 0 || CollectPositions(null).Count > 0))
        {
            // The final commit of everything processed; retriable errors are retried until the commit timeout.
            _commitFirstAttempt = _time.GetTimestamp();
            var finalCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            AddCommitWaiter(finalCommit);
            while (_commitWaiters.Count > 0 || _explicitCommits.Count > 0)
            {
                var exhausted = _time.GetElapsedTime(_commitFirstAttempt) >= _options.CommitTimeout;
                ServiceCommits(final: exhausted);
                if (_commitWaiters.Count > 0)
                {
                    Thread.Sleep(_commitBackoff == TimeSpan.Zero ? _options.CommitRetryBackoff : _commitBackoff);
                }
            }

            // A failed final commit was logged; the records are read again after a restart, so shutdown goes on.
            _ = finalCommit.Task.Exception;
        }
        else
        {
            ServiceCommits(final: true);
        }

        if (_handler is not null && _assigned.Length > 0)
        {
            var assignment = _assigned.Select(s => s.TopicPartition).ToHashSet();
            InvokeHandler("OnStopped", () => _handler.OnStopped(assignment, new RestrictedConsumer<TKey, TValue>(_consumer!)));
        }

        var started = _time.GetTimestamp();
        _wakeup?.Dispose();
        try
        {
            // Leaves the group; the revocation callback runs once more and finds nothing left to commit.
            _consumer!.Close();
        }
        catch (KafkaException ex)
        {
            KafkaLog.CloseFailed(_logger, _name, ex.Message);
        }

        _consumer!.Dispose();
        var elapsed = _time.GetElapsedTime(started);
        if (elapsed > _options.CloseTimeout)
        {
            KafkaLog.SlowClose(_logger, _name, elapsed, _options.CloseTimeout);
        }

        if (_fatal is { } fatal)
        {
            throw fatal;
        }
    }

    private void CloseAfterFailure()
    {
        _wakeup?.Dispose();
        if (_consumer is null)
        {
            return;
        }

        try
        {
            // Dispose closes the client (leaving the group) without another rebalance round through our callbacks.
            _consumer.Dispose();
        }
#pragma warning disable CA1031 // Already failing: the first failure is the one reported; this one is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            KafkaLog.CloseFailed(_logger, _name, ex.Message);
        }
    }

    private void Terminate(Exception? failure)
    {
        _terminated = true;
        if (failure is null)
        {
            _merged?.Writer.TryComplete();
            _assignedPartitions?.Writer.TryComplete();
        }
        else
        {
            _merged?.Writer.TryComplete(failure);
            _assignedPartitions?.Writer.TryComplete(failure);
        }

        foreach (var partition in _partitions.Values)
        {
            partition.Channel?.Writer.TryComplete(failure);
        }

        var pendingFailure = failure ?? TerminatedException();
        CompleteCommitWaiters(pendingFailure);
        FailPendingRequests(pendingFailure);
        _assigned = [];
        _over.Clear();
        _mergedOver = false;
        if (failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(failure);
        }
    }

    private void FailPendingRequests(Exception failure)
    {
        while (_requests.TryDequeue(out var request))
        {
            request.Waiter.TrySetException(failure);
        }
    }

    private InvalidOperationException TerminatedException() =>
        new($"The Kafka consumer {_name} has shut down; its offsets can no longer be committed (the records will be read again after a restart).");

    private Partition GetOrCreate(TopicPartition tp)
    {
        if (!_partitions.TryGetValue(tp, out var partition))
        {
            partition = new Partition(new PartitionState(this, tp));
            _partitions[tp] = partition;
        }

        return partition;
    }

    private void PublishAssignment() =>
        _assigned = [.. _partitions.Values.Where(p => p.State.Assigned).Select(p => p.State)];

    private static string Describe(IEnumerable<TopicPartition> partitions) => string.Join(", ", partitions.Select(p => $"{p.Topic} [{p.Partition.Value}]"));

    private static string Describe(IEnumerable<TopicPartitionOffset> positions) =>
        string.Join(", ", positions.Select(p => $"{p.Topic} [{p.Partition.Value}] @{p.Offset.Value}"));

    private sealed class Partition(PartitionState state)
    {
        public PartitionState State { get; } = state;

        public Channel<BufferedRecord<TKey, TValue>>? Channel { get; set; }
    }

    private abstract class Request(TaskCompletionSource waiter)
    {
        public TaskCompletionSource Waiter { get; } = waiter;
    }

    private sealed class CommitRequest(TaskCompletionSource waiter) : Request(waiter);

    private sealed class ExplicitCommitRequest(TopicPartitionOffset position, TaskCompletionSource waiter) : Request(waiter)
    {
        public TopicPartitionOffset Position { get; } = position;
    }
}
