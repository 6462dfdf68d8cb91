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
internal sealed class KafkaConsumerActor<TKey, TValue> : IOffsetCommitter, IConsumerPollLoop, IConsumerActor
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

    // ---- rebalance callbacks (poll thread, inside Consume) ----

    private IEnumerable<TopicPartitionOffset> OnPartitionsAssigned(IConsumer<TKey, TValue> consumer, List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return [];
        }

        var assigned = partitions.ToHashSet();
        var offsets = partitions.ToDictionary(tp => tp, _ => Offset.Unset);
        if (_options.OffsetsOnAssign is { } chooser)
        {
            foreach (var (tp, offset) in chooser(assigned))
            {
                if (offsets.ContainsKey(tp))
                {
                    offsets[tp] = offset;
                }
            }
        }

        StartAssignment(partitions);
        if (_handler is not null)
        {
            // Seeks requested by the handler become the assignment's start offsets (the assignment is applied after this
            // callback returns, so a client seek would be overwritten).
            _seeksDuringAssign = offsets;
            try
            {
                InvokeHandler("OnAssigned", () => _handler.OnAssigned(assigned, new AssigningConsumer(this, consumer, assigned)));
            }
            finally
            {
                _seeksDuringAssign = null;
            }
        }

        return [.. offsets.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value))];
    }

    private void OnPartitionsRevoked(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        if (revoked.Count == 0)
        {
            return;
        }

        if (_options.TrackOffsets)
        {
            ApplyCompletions();
            FlushRevoked(revoked);
        }

        EndAssignment(revoked);
        KafkaLog.Revoked(_logger, _name, Describe(revoked));
        if (_handler is not null)
        {
            InvokeHandler("OnRevoked", () => _handler.OnRevoked(revoked, new RestrictedConsumer<TKey, TValue>(consumer)));
        }
    }

    private void OnPartitionsLost(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> partitions)
    {
        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        EndAssignment(lost);
        KafkaLog.Lost(_logger, _name, Describe(lost));
        if (_handler is not null)
        {
            InvokeHandler("OnLost", () => _handler.OnLost(lost, new RestrictedConsumer<TKey, TValue>(consumer)));
        }
    }

    private void StartAssignment(IEnumerable<TopicPartition> partitions)
    {
        var list = partitions.ToList();
        if (list.Count == 0)
        {
            // The cooperative protocol reports empty increments.
            return;
        }

        foreach (var tp in list)
        {
            var partition = GetOrCreate(tp);
            var state = partition.State;
            state.Ledger.Reset();
            state.Assigned = true;
            state.LastCommitted = -1;
            state.PublishedCommitted = -1;
            state.WarnedStuckOffset = -1;
            state.Paused = false;
            state.PausedForBuffer = false;
            state.Over = false;
            state.Gauge.StopAwaitingDrain();
            state.NeedsPauseSync = true;
            state.ReaderEpoch = state.Ledger.Epoch;
            if (_assignedPartitions is not null)
            {
                var channel = Channel.CreateUnbounded<BufferedRecord<TKey, TValue>>(
                    new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
                partition.Channel = channel;
                if (_stopped)
                {
                    channel.Writer.TryComplete();
                }
                else
                {
                    _assignedPartitions.Writer.TryWrite(new ConsumerReader<TKey, TValue>(channel.Reader, this, total: null, tp));
                }
            }
        }

        Interlocked.Increment(ref _rebalances);
        PublishAssignment();
        KafkaLog.Assigned(_logger, _name, Describe(list));
    }

    private void EndAssignment(IReadOnlySet<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (!_partitions.TryGetValue(tp, out var partition) || !partition.State.Assigned)
            {
                continue;
            }

            var state = partition.State;
            state.Assigned = false;
            state.ReaderEpoch = -1;
            state.Ledger.Reset();
            state.Paused = false;
            state.PausedForBuffer = false;
            state.Over = false;
            state.Gauge.StopAwaitingDrain();
            partition.Channel?.Writer.TryComplete();
            partition.Channel = null;
        }

        _lastPartition = null;
        Interlocked.Increment(ref _rebalances);
        PublishAssignment();
    }

    private void FlushRevoked(IReadOnlySet<TopicPartition> revoked)
    {
        var positions = CollectPositions(revoked);
        if (positions.Count == 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        var backoff = _options.CommitRetryBackoff;
        while (true)
        {
            var outcome = TryCommit(positions, out var error, out var exception);
            if (outcome is CommitOutcome.Committed or CommitOutcome.NothingToCommit)
            {
                return;
            }

            // A group that is rebalancing stays so until this callback returns: retrying cannot succeed.
            if (outcome != CommitOutcome.Retriable || error.Code == ErrorCode.RebalanceInProgress
                || _time.GetElapsedTime(started) + backoff > _options.CommitTimeout)
            {
                KafkaLog.RevokeFlushFailed(_logger, _name, exception?.Message ?? error.Reason);
                return;
            }

            // The rebalance waits for this flush by design; a short blocking backoff on the poll thread is the price.
            Interlocked.Increment(ref _commitRetries);
            Thread.Sleep(backoff);
            backoff = backoff * 2 > MaxCommitBackoff ? MaxCommitBackoff : backoff * 2;
        }
    }

    private void InvokeHandler(string callback, Action action)
    {
        var started = _time.GetTimestamp();
        try
        {
            action();
        }
#pragma warning disable CA1031 // A throwing user handler must not break the rebalance; it is logged and fails the stream.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            KafkaLog.HandlerFailed(_logger, _name, callback, ex);
            _fatal ??= new InvalidOperationException($"The partition assignment handler threw in {callback}: {ex.Message}", ex);
        }

        var elapsed = _time.GetElapsedTime(started);
        if (elapsed > _options.PartitionHandlerWarning)
        {
            KafkaLog.SlowHandler(_logger, _name, elapsed, callback, _options.PartitionHandlerWarning);
        }
    }

    // ---- the loop ----

    private void DrainRequests()
    {
        while (_requests.TryDequeue(out var request))
        {
            switch (request)
            {
                case CommitRequest commit:
                    AddCommitWaiter(commit.Waiter);
                    break;
                case ExplicitCommitRequest explicitCommit:
                    if (_explicitCommits.Count == 0 && _commitWaiters.Count == 0)
                    {
                        _commitFirstAttempt = _batchTimestamp;
                    }

                    _explicitCommits.Add((explicitCommit.Position, explicitCommit.Waiter));
                    break;
            }
        }
    }

    private void AddCommitWaiter(TaskCompletionSource waiter)
    {
        if (_commitWaiters.Count == 0 && _explicitCommits.Count == 0)
        {
            _commitFirstAttempt = _batchTimestamp;
        }

        _commitWaiters.Add(waiter);
    }

    private void ApplyCompletions()
    {
        var now = _time.GetTimestamp();
        while (_completions.TryDequeue(out var completion))
        {
            // Epoch and sequence pick the exact ledger entry; completions of an earlier assignment are ignored there.
            completion.Partition.Ledger.Complete(completion.Epoch, completion.Sequence, now);
        }
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

    private void ServiceCommits(bool final)
    {
        if (_commitWaiters.Count == 0 && _explicitCommits.Count == 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!final && now < _nextCommitAttempt)
        {
            return;
        }

        var positions = CollectPositions(null);
        foreach (var (offset, _) in _explicitCommits)
        {
            if (_partitions.TryGetValue(offset.TopicPartition, out var partition) && partition.State.Assigned)
            {
                positions.RemoveAll(p => p.TopicPartition == offset.TopicPartition && p.Offset.Value <= offset.Offset.Value);
                if (!positions.Exists(p => p.TopicPartition == offset.TopicPartition))
                {
                    positions.Add(offset);
                }
            }
        }

        var outcome = TryCommit(positions, out var error, out var exception);
        switch (outcome)
        {
            case CommitOutcome.Committed:
            case CommitOutcome.NothingToCommit:
            case CommitOutcome.OwnershipLost:
                CompleteCommitWaiters(null);
                break;
            case CommitOutcome.Retriable when _time.GetElapsedTime(_commitFirstAttempt) < _options.CommitTimeout && !final:
                Interlocked.Increment(ref _commitRetries);
                _commitBackoff = _commitBackoff == TimeSpan.Zero ? _options.CommitRetryBackoff
                    : _commitBackoff * 2 > MaxCommitBackoff ? MaxCommitBackoff : _commitBackoff * 2;
                _nextCommitAttempt = now + (long)(_commitBackoff.TotalSeconds * _time.TimestampFrequency);
                KafkaLog.CommitRetry(_logger, _name, error.Code, error.Reason, _commitBackoff);
                break;
            default:
                Interlocked.Increment(ref _commitFailures);
                var failure = new KafkaCommitException(
                    outcome == CommitOutcome.Retriable
                        ? $"Committing {Describe(positions)} kept failing with retriable errors for longer than the commit timeout {_options.CommitTimeout}; last error: {error.Reason} ({error.Code})."
                        : $"Committing {Describe(positions)} failed: {error.Reason} ({error.Code}).",
                    error,
                    positions,
                    exception);
                KafkaLog.CommitFailed(_logger, _name, failure.Message);
                CompleteCommitWaiters(failure);
                break;
        }
    }

    private void CompleteCommitWaiters(Exception? failure)
    {
        foreach (var waiter in _commitWaiters)
        {
            Complete(waiter, failure);
        }

        foreach (var (_, waiter) in _explicitCommits)
        {
            Complete(waiter, failure);
        }

        _commitWaiters.Clear();
        _explicitCommits.Clear();
        _nextCommitAttempt = 0;
        _commitBackoff = TimeSpan.Zero;

        static void Complete(TaskCompletionSource waiter, Exception? failure)
        {
            if (failure is null)
            {
                waiter.TrySetResult();
            }
            else
            {
                waiter.TrySetException(failure);
            }
        }
    }

    private List<TopicPartitionOffset> CollectPositions(IReadOnlySet<TopicPartition>? only)
    {
        var positions = new List<TopicPartitionOffset>();
        if (!_options.TrackOffsets)
        {
            return positions;
        }

        foreach (var state in _assigned)
        {
            if (only is not null && !only.Contains(state.TopicPartition))
            {
                continue;
            }

            var position = state.Ledger.CommitPosition;
            if (position > state.LastCommitted)
            {
                positions.Add(new TopicPartitionOffset(state.TopicPartition, position));
            }
        }

        return positions;
    }

    private CommitOutcome TryCommit(List<TopicPartitionOffset> positions, out Error error, out Exception? exception)
    {
        error = new Error(ErrorCode.NoError);
        exception = null;
        if (positions.Count == 0)
        {
            return CommitOutcome.NothingToCommit;
        }

        var started = _time.GetTimestamp();
        try
        {
            _consumer!.Commit(positions);
            MarkCommitted(positions);
            Interlocked.Increment(ref _commits);
            var elapsed = _time.GetElapsedTime(started);
            if (elapsed > _options.CommitTimeWarning)
            {
                KafkaLog.SlowCommit(_logger, _name, elapsed, _options.CommitTimeWarning);
            }

            return CommitOutcome.Committed;
        }
        catch (TopicPartitionOffsetException ex)
        {
            // Some partitions may have succeeded; keep them, classify by the first failure.
            MarkCommitted([.. ex.Results.Where(r => r.Error.Code == ErrorCode.NoError).Select(r => r.TopicPartitionOffset)]);
            var failed = ex.Results.FirstOrDefault(r => r.Error.Code != ErrorCode.NoError);
            error = failed?.Error ?? ex.Error;
            exception = ex;
            return Classify(error);
        }
        catch (KafkaException ex)
        {
            error = ex.Error;
            exception = ex;
            return Classify(error);
        }
    }

    private void MarkCommitted(IEnumerable<TopicPartitionOffset> committed)
    {
        foreach (var position in committed)
        {
            if (_partitions.TryGetValue(position.TopicPartition, out var partition) && partition.State.Assigned
                && position.Offset.Value > partition.State.LastCommitted)
            {
                partition.State.LastCommitted = position.Offset.Value;
                partition.State.PublishedCommitted = position.Offset.Value;
            }
        }
    }

    private CommitOutcome Classify(Error error)
    {
        if (error.IsFatal)
        {
            return CommitOutcome.Failed;
        }

        switch (error.Code)
        {
            case ErrorCode.Local_NoOffset:
                return CommitOutcome.NothingToCommit;
            case ErrorCode.IllegalGeneration:
            case ErrorCode.UnknownMemberId:
            case ErrorCode.Local_State:
            case ErrorCode.Local_UnknownPartition:
            case ErrorCode.Local_AssignmentLost:
                // The group moved on: the partitions belong to someone else, who reads the records again.
                KafkaLog.CommitDroppedOwnershipLost(_logger, _name, error.Code, error.Reason);
                return CommitOutcome.OwnershipLost;
            case ErrorCode.RequestTimedOut:
            case ErrorCode.Local_TimedOut:
            case ErrorCode.Local_Transport:
            case ErrorCode.Local_AllBrokersDown:
            case ErrorCode.Local_WaitCoord:
            case ErrorCode.Local_Outdated:
            case ErrorCode.NetworkException:
            case ErrorCode.GroupLoadInProgress:
            case ErrorCode.GroupCoordinatorNotAvailable:
            case ErrorCode.NotCoordinatorForGroup:
            case ErrorCode.RebalanceInProgress:
            case ErrorCode.NotEnoughReplicas:
            case ErrorCode.NotEnoughReplicasAfterAppend:
            case ErrorCode.LeaderNotAvailable:
            case ErrorCode.NotLeaderForPartition:
            case ErrorCode.UnknownTopicOrPart:
                return CommitOutcome.Retriable;
            default:
                return CommitOutcome.Failed;
        }
    }

    private bool IsThrottled => _over.Count > 0 || _mergedOver;

    private void UpdatePauses()
    {
        // A buffer over its size stops the loop from taking records (librdkafka keeps what it prefetched), until it drains
        // to half. Pausing is the second resort, because a pause makes librdkafka drop the partition's prefetched records
        // and fetch them again on resume: the single reader of all partitions is paused out only when it made no progress
        // for poll-interval; a partition substream, when it did not drain within poll-interval (a slow substream must not
        // hold up the others).
        var now = _time.GetTimestamp();
        if (_mergedOver)
        {
            UpdateMergedOver(now);
        }

        for (var i = _over.Count - 1; i >= 0; i--)
        {
            var state = _over[i];
            var drained = state.Buffered <= _resumeThreshold;
            if (state.Assigned && !_stopped && !drained && _time.GetElapsedTime(state.OverSince, now) < _options.PollInterval)
            {
                continue;
            }

            state.Over = false;
            _over.RemoveAt(i);
            if (state.Assigned && !_stopped && !drained)
            {
                state.PausedForBuffer = true;
            }
            else
            {
                state.Gauge.StopAwaitingDrain();
            }
        }

        var inFlightPaused = false;
        var totalDrained = _total is not null && _total.Count <= MergedBudget / 2;
        foreach (var state in _assigned)
        {
            var overInFlight = _options.TrackOffsets && state.Ledger.InFlight >= _options.MaxInFlightPerPartition;
            inFlightPaused |= overInFlight;
            if (state.PausedForBuffer && (_total is null ? state.Buffered <= _resumeThreshold : totalDrained))
            {
                state.PausedForBuffer = false;
                state.Gauge.StopAwaitingDrain();
            }

            var pause = _stopped || overInFlight || state.PausedForBuffer;
            if (state.NeedsPauseSync || pause != state.Paused)
            {
                SetPaused(state, pause, force: state.NeedsPauseSync);
                state.NeedsPauseSync = false;
            }
        }

        if (totalDrained && !_mergedOver)
        {
            _total!.StopAwaitingDrain();
        }

        _inFlightPaused = inFlightPaused;
        FlushPauseChanges();
    }

    /// <summary>The records the single reader of all partitions may have buffered: buffer-size per assigned partition.</summary>
    private long MergedBudget => (long)_options.BufferSize * Math.Max(1, _assigned.Length);

    private void UpdateMergedOver(long now)
    {
        var total = _total!;
        if (_stopped || total.Count <= MergedBudget / 2)
        {
            _mergedOver = false;
            total.StopAwaitingDrain();
            return;
        }

        if (_time.GetElapsedTime(_mergedOverSince, now) < _options.PollInterval)
        {
            return;
        }

        if (total.Taken != _mergedTakenMark)
        {
            // Slow but moving: keep waiting without pausing.
            _mergedOverSince = now;
            _mergedTakenMark = total.Taken;
            return;
        }

        // The reader made no progress for poll-interval: pause every partition that has records waiting, until it drains.
        _mergedOver = false;
        foreach (var state in _assigned)
        {
            if (state.Buffered > 0)
            {
                state.PausedForBuffer = true;
            }
        }
    }

    private void SetPaused(PartitionState state, bool pause, bool force)
    {
        if (pause == state.Paused && !force)
        {
            return;
        }

        if (pause)
        {
            _toPause.Add(state.TopicPartition);
            if (!state.Paused)
            {
                Interlocked.Increment(ref _pauses);
            }
        }
        else
        {
            _toResume.Add(state.TopicPartition);
            if (state.Paused)
            {
                Interlocked.Increment(ref _resumes);
            }
        }

        state.Paused = pause;
    }

    private void EnterOver(PartitionState state)
    {
        state.Over = true;
        state.OverSince = _time.GetTimestamp();
        state.Gauge.AwaitDrain(_resumeThreshold);
        _over.Add(state);
    }

    private void EnterMergedOver()
    {
        _mergedOver = true;
        _mergedOverSince = _time.GetTimestamp();
        _mergedTakenMark = _total!.Taken;
        _total.AwaitDrain(MergedBudget / 2);
    }

    private void Throttled()
    {
        // Not taking records, but polling every poll-interval keeps the group membership and serves rebalances; what such a
        // poll returns is buffered (a partition over its size for longer than poll-interval gets paused, so this is bounded).
        var sinceLastPoll = _time.GetElapsedTime(_lastPoll);
        if (sinceLastPoll >= _options.PollInterval)
        {
            _lastPoll = _time.GetTimestamp();
            var result = ConsumeOne(TimeSpan.Zero);
            if (result is not null)
            {
                _batchTimestamp = _lastPoll;
                Deliver(result);
            }

            return;
        }

        var wait = _options.PollInterval - sinceLastPoll;
        foreach (var state in _over)
        {
            var left = _options.PollInterval - _time.GetElapsedTime(state.OverSince);
            wait = left < wait ? left : wait;
        }

        if (_mergedOver)
        {
            var left = _options.PollInterval - _time.GetElapsedTime(_mergedOverSince);
            wait = left < wait ? left : wait;
        }

        if (wait > TimeSpan.Zero && _requests.IsEmpty && Volatile.Read(ref _wakePending) == 0)
        {
            _wakeEvent.Wait(wait);
        }
    }

    private void FlushPauseChanges()
    {
        if (_toPause.Count > 0)
        {
            _consumer!.Pause(_toPause);
            _toPause.Clear();
        }

        if (_toResume.Count > 0)
        {
            _consumer!.Resume(_toResume);
            _toResume.Clear();
        }
    }

    private void Housekeeping()
    {
        if (_time.GetElapsedTime(_lastHousekeeping) < HousekeepingInterval)
        {
            return;
        }

        _lastHousekeeping = _time.GetTimestamp();
        foreach (var state in _assigned)
        {
            var ledger = state.Ledger;
            state.PublishedInFlight = ledger.InFlight;
            var head = ledger.HeadOffset;
            if (head < 0 || state.WarnedStuckOffset == head || ledger.HeadSequence > state.LastDequeuedSequence)
            {
                // Nothing unfinished, already reported, or the head record still waits in the buffer (back-pressure).
                continue;
            }

            var waited = _time.GetElapsedTime(ledger.HeadSince);
            if (waited > _options.CommitTimeWarning)
            {
                state.WarnedStuckOffset = head;
                KafkaLog.CommitPositionStuck(_logger, _name, Describe([state.TopicPartition]), head, waited);
            }
        }
    }

    private void Poll()
    {
        var timeout = _pollTimeout;
        if (!_requests.IsEmpty || Volatile.Read(ref _wakePending) != 0 || _stopRequested)
        {
            timeout = TimeSpan.Zero;
        }
        else if (_nextCommitAttempt != 0)
        {
            var untilRetry = _time.GetElapsedTime(_time.GetTimestamp(), _nextCommitAttempt);
            timeout = untilRetry < TimeSpan.Zero ? TimeSpan.Zero : untilRetry < timeout ? untilRetry : timeout;
        }

        _lastPoll = _time.GetTimestamp();
        var result = ConsumeOne(timeout);
        if (result is null)
        {
            return;
        }

        _batchTimestamp = _time.GetTimestamp();
        Deliver(result);
        for (var i = 1; i < _options.MaxPollRecords && !IsThrottled; i++)
        {
            result = ConsumeOne(TimeSpan.Zero);
            if (result is null)
            {
                return;
            }

            Deliver(result);
        }
    }

    private ConsumeResult<TKey, TValue>? ConsumeOne(TimeSpan timeout)
    {
        try
        {
            return _consumer!.Consume(timeout);
        }
        catch (ConsumeException ex) when (ex.Error.Code is ErrorCode.Local_KeyDeserialization or ErrorCode.Local_ValueDeserialization)
        {
            var record = ex.ConsumerRecord;
            throw new KafkaDeserializationException(
                record.Topic,
                record.Partition.Value,
                record.Offset.Value,
                ex.Error.Code == ErrorCode.Local_KeyDeserialization ? MessageComponentType.Key : MessageComponentType.Value,
                ex.InnerException);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            KafkaLog.RetriableError(_logger, _name, ex.Error.Code, ex.Error.Reason);
            return null;
        }
    }

    private void Deliver(ConsumeResult<TKey, TValue> result)
    {
        if (result.IsPartitionEOF)
        {
            return;
        }

        var partition = _lastPartition;
        if (partition is null || partition.State.TopicPartition.Partition != result.Partition || partition.State.TopicPartition.Topic != result.Topic)
        {
            if (!_partitions.TryGetValue(result.TopicPartition, out partition))
            {
                return;
            }

            _lastPartition = partition;
        }

        var state = partition.State;
        if (!state.Assigned || _stopped)
        {
            // Fetched before a revocation or a stop took effect: never emitted, so read again later by its owner.
            return;
        }

        var sequence = -1L;
        if (_options.TrackOffsets)
        {
            var ledger = state.Ledger;
            var offset = result.Offset.Value;
            if (offset <= ledger.LastRegistered)
            {
                KafkaLog.OffsetsWentBack(_logger, _name, Describe([state.TopicPartition]), ledger.LastRegistered, offset);
                ledger.Reset();
                state.ReaderEpoch = ledger.Epoch;
            }

            sequence = ledger.Register(offset, _batchTimestamp);
        }

        state.Gauge.OnWritten();
        _total?.OnWritten();
        var record = new BufferedRecord<TKey, TValue>(result, state, state.Ledger.Epoch, sequence);
        (partition.Channel?.Writer ?? _merged!.Writer).TryWrite(record);
        Volatile.Write(ref _recordsReceived, _recordsReceived + 1);

        if (_total is not null)
        {
            if (!_mergedOver && _total.Count >= MergedBudget)
            {
                EnterMergedOver();
            }
        }
        else if (!state.Over && !state.Paused && state.Buffered >= _options.BufferSize)
        {
            EnterOver(state);
        }
    }

    // ---- client callbacks ----

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

    // ---- shutdown ----

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

    private enum CommitOutcome
    {
        Committed,
        NothingToCommit,
        OwnershipLost,
        Retriable,
        Failed,
    }

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

    /// <summary>The consumer as an <c>OnAssigned</c> handler sees it: seeks set the start offsets of the new assignment.</summary>
    private sealed class AssigningConsumer(KafkaConsumerActor<TKey, TValue> actor, IConsumer<TKey, TValue> consumer, IReadOnlySet<TopicPartition> assigning)
        : IRestrictedConsumer
    {
        private readonly RestrictedConsumer<TKey, TValue> _inner = new(consumer);

        public IReadOnlyList<TopicPartition> Assignment => [.. consumer.Assignment.Union(assigning)];

        public Offset Position(TopicPartition partition) => _inner.Position(partition);

        public void Seek(TopicPartitionOffset offset)
        {
            if (assigning.Contains(offset.TopicPartition) && actor._seeksDuringAssign is { } seeks)
            {
                seeks[offset.TopicPartition] = offset.Offset;
                return;
            }

            _inner.Seek(offset);
        }

        public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) => _inner.Committed(partitions, timeout);

        public WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout) => _inner.QueryWatermarkOffsets(partition, timeout);

        public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout) =>
            _inner.OffsetsForTimes(timestamps, timeout);
    }
}
