using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Error = Confluent.Kafka.Error;
using LogMessage = Confluent.Kafka.LogMessage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka.Native;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// An actor that owns one Kafka consumer and feeds bounded buffers that its sources' stages read. It runs on a pinned
/// dispatcher (a thread of its own), where its poll loop blocks briefly in the client's <c>Consume</c>: one loop turn per
/// <see cref="ConsumerProtocol.Poll"/> message it sends itself, so the mailbox (registrations, stops, leaves) is served
/// between polls. The loop never waits for downstream: a partition whose buffer is full is paused and resumed when it
/// drains, so polling (and group membership) goes on however slow the graph is.
/// </summary>
/// <remarks>
/// <para>
/// Everything that touches the Confluent consumer runs on the actor's thread, since the client is not thread-safe:
/// polling, pausing, the rebalance callbacks, and commits. Records never travel as messages: they reach the stages through
/// the sources' buffers, and completions and commit requests reach the actor through the lock-free queues of its
/// <see cref="ConsumerHandle"/>, which also wakes a blocked poll.
/// </para>
/// <para>
/// Sources: one source with a topic or pattern subscription, or any number of sources with manual assignments (external
/// sources sharing a consumer the user created with <see cref="KafkaConsumerActor.Props{TKey, TValue}(ConsumerSettings{TKey, TValue})"/>).
/// A source that stops gets nothing more and its partitions pause; a source that leaves has its processed offsets
/// committed and its partitions given up; when the last source leaves, the consumer commits, closes and the actor stops.
/// </para>
/// <para>
/// Offsets: records of committable sources are registered in their partition's <see cref="OffsetLedger"/> as they are
/// buffered; completions are applied by the actor; a commit sends, per owned partition, the ledger's commit position when
/// it moved. On revocation the completions are applied and the revoked partitions' positions committed synchronously
/// inside the callback, before the partitions go to another consumer; their ledgers then start a new epoch, so late
/// completions are ignored, and their buffered records are dropped.
/// </para>
/// <para>
/// Errors: fatal client errors, undeserializable records and failures of the loop fail every source with the error, then
/// the actor stops (its sources' stages watch it); retriable errors (broker down, coordinator moved, request timeouts) are
/// logged and retried, commits with backoff until the commit timeout.
/// </para>
/// </remarks>
internal sealed partial class KafkaConsumerActor<TKey, TValue> : UntypedActor
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxCommitBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FallbackPollTimeout = TimeSpan.FromMilliseconds(10);

    private readonly ConsumerConfig _config;
    private readonly IDeserializer<TKey>? _keyDeserializer;
    private readonly IDeserializer<TValue>? _valueDeserializer;
    private readonly ConsumerActorOptions _options;
    private readonly ConsumerHandle _handle;
    private readonly ConsumerTelemetry _telemetry;
    private readonly string _name;
    private readonly long _resumeThreshold;

    // Sources.
    private readonly Dictionary<int, SourceEndpoint<TKey, TValue>> _sources = [];
    private SourceEndpoint<TKey, TValue>? _autoSource;
    private int _nextSourceId;
    private int _mergedOverCount;

    // Loop state (the actor's thread only).
    private readonly Dictionary<TopicPartition, Partition> _partitions = [];
    private readonly List<TaskCompletionSource> _commitWaiters = [];
    private readonly List<(TopicPartitionOffset Offset, TaskCompletionSource Waiter)> _explicitCommits = [];
    private readonly List<TopicPartition> _toPause = [];
    private readonly List<TopicPartition> _toResume = [];
    private readonly List<PartitionState> _over = [];
    private Microsoft.Extensions.Logging.ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private TimeProvider _time = TimeProvider.System;
    private long _lastPoll;
    private IConsumer<TKey, TValue>? _consumer;
    private ConsumerWakeup? _wakeup;
    private TimeSpan _pollTimeout;
    private Partition? _lastPartition;
    private long _commitFirstAttempt;
    private long _nextCommitAttempt;
    private TimeSpan _commitBackoff;
    private long _lastHousekeeping;
    private long _batchTimestamp;
    private long _rebalanceHoldSince;
    private bool _polling;
    private bool _closed;
    private Dictionary<TopicPartition, Offset>? _seeksDuringAssign;
    private Exception? _fatal;

    public KafkaConsumerActor(
        ConsumerConfig config,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        ConsumerActorOptions options,
        ConsumerHandle? handle)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightPerPartition, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPollRecords, 1);

        _config = new ConsumerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value));
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _options = options;
        _handle = handle ?? CreateHandle(_config);
        _name = _handle.Name;
        _telemetry = new ConsumerTelemetry(_handle);
        _resumeThreshold = Math.Max(0, options.BufferSize / 2);
        _pollTimeout = options.PollTimeout;
    }

    /// <summary>The handle a consumer with <paramref name="config"/> reports through (named by its client id, else its group id).</summary>
    public static ConsumerHandle CreateHandle(ConsumerConfig config) =>
        new(config.ClientId ?? config.GroupId ?? "consumer", config.GroupId ?? string.Empty);

    /// <summary>
    /// The props of a consumer actor on the Kafka dispatcher (<see cref="KafkaConsumerActor.DispatcherId"/>), reporting through
    /// <paramref name="handle"/> (created with the actor when <see langword="null"/>).
    /// </summary>
    public static Props CreateProps(
        ConsumerConfig config,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        ConsumerActorOptions options,
        ConsumerHandle? handle) =>
        Props.Create(() => new KafkaConsumerActor<TKey, TValue>(config, keyDeserializer, valueDeserializer, options, handle))
            .WithDispatcher(KafkaConsumerActor.DispatcherId);

    protected override void PreStart()
    {
        _logger = new LoggingAdapterLogger(Context.GetLogger());
        _time = new SchedulerTimeProvider(Context.System.Scheduler);
        try
        {
            _consumer = Build();
            _wakeup = ConsumerWakeup.Attach(_consumer);
            _handle.SetWakeup(_wakeup);
            ConsumerGauges.Add(_handle);
            if (!_wakeup.IsSupported)
            {
                _pollTimeout = _options.PollTimeout < FallbackPollTimeout ? _options.PollTimeout : FallbackPollTimeout;
                KafkaLog.NoWakeup(_logger, _name, _pollTimeout);
            }
        }
#pragma warning disable CA1031 // A consumer that cannot be built fails its sources with the reason; nothing is swallowed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
    }

    protected override void OnReceive(object message)
    {
        try
        {
            switch (message)
            {
                case ConsumerProtocol.Poll:
                    _polling = false;
                    if (!_closed)
                    {
                        PollTurn();
                        SchedulePoll();
                    }

                    break;
                case ConsumerProtocol.RegisterSource register when register.KeyType != typeof(TKey) || register.ValueType != typeof(TValue):
                    Sender.Tell(new ConsumerProtocol.RegistrationFailed(new InvalidOperationException(
                        $"{register.Spec.Name} reads keys of {register.KeyType.Name} and values of {register.ValueType.Name}, but the Kafka consumer actor "
                        + $"{Self.Path} reads {typeof(TKey).Name} and {typeof(TValue).Name}; create it with ConsumerSettings<{register.KeyType.Name}, {register.ValueType.Name}>.")));
                    break;
                case ConsumerProtocol.RegisterSource register:
                    Register(register.Spec, Sender);
                    break;
                case ConsumerProtocol.StopSource stop:
                    if (_sources.TryGetValue(stop.Id, out var stopping))
                    {
                        StopSource(stopping, stop.Leave ? StopTimeout(stopping) : null);
                    }

                    break;
                case ConsumerProtocol.LeaveSource leave:
                    Leave(leave.Id);
                    break;
                case KafkaConsumerActor.Stop:
                    Shutdown(Interrupted("was told to stop"));
                    break;
                case Terminated terminated:
                    OnStageTerminated(terminated.ActorRef);
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
#pragma warning disable CA1031 // The actor's last line of defence: every failure is handed to the sources, none is swallowed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
    }

    protected override void PostStop()
    {
        if (_closed)
        {
            return;
        }

        // Stopped from outside (PoisonPill, the parent, the actor system's shutdown): commit what is processed and close.
        _closed = true;
        try
        {
            var interruption = Interrupted("was stopped");
            foreach (var source in _sources.Values)
            {
                StopSource(source, leaveAfter: null, interruption);
            }

            ShutdownGracefully();
            TerminateAll(null);
        }
#pragma warning disable CA1031 // The failure goes to the sources and the handle; the actor is stopping anyway.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CloseAfterFailure();
            TerminateAll(ex);
        }
    }

    private void PollTurn()
    {
        _handle.ResetWake();
        if (_fatal is { } fatal)
        {
            throw fatal;
        }

        _batchTimestamp = _time.GetTimestamp();
        DrainRequests();
        ApplyCompletions();
        ServiceCommits(final: false);
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

        _telemetry.FlushConsumed();
    }

    private void SchedulePoll()
    {
        if (!_polling && !_closed && _sources.Count > 0)
        {
            _polling = true;
            Self.Tell(ConsumerProtocol.Poll.Instance, Self);
        }
    }

    private void Register(SourceSpec spec, IActorRef stage)
    {
        if (_closed)
        {
            stage.Tell(new ConsumerProtocol.RegistrationFailed(_handle.Failure ?? _handle.TerminatedException()), Self);
            return;
        }

        if (RegistrationProblem(spec) is { } problem)
        {
            stage.Tell(new ConsumerProtocol.RegistrationFailed(new InvalidOperationException(problem)), Self);
            return;
        }

        var source = new SourceEndpoint<TKey, TValue>(++_nextSourceId, spec, Self, _handle, stage);
        _sources[source.Id] = source;
        try
        {
            ApplySubscription(source);
        }
        catch (KafkaException ex)
        {
            EndAssignment(_partitions.Values.Where(p => p.Endpoint == source && p.State.Assigned).Select(p => p.State.TopicPartition).ToHashSet());
            _sources.Remove(source.Id);
            if (_autoSource == source)
            {
                _autoSource = null;
            }

            stage.Tell(new ConsumerProtocol.RegistrationFailed(new KafkaException(new Error(
                ex.Error.Code, $"Kafka consumer {_name} could not start reading for {spec.Name}: {ex.Error.Reason}", ex.Error.IsFatal))), Self);
            return;
        }

        if (!stage.IsNobody())
        {
            Context.Watch(stage);
        }

        stage.Tell(new ConsumerProtocol.SourceRegistered(source), Self);
        SchedulePoll();
    }

    private string? RegistrationProblem(SourceSpec spec)
    {
        var path = Self.Path.ToStringWithoutAddress();
        if (spec.Subscription is AutoSubscription && _sources.Count > 0)
        {
            return $"{spec.Name} subscribes to topics, but the Kafka consumer actor {path} already serves {_sources.Count} source(s): "
                + "a consumer with a topic subscription serves that one source only. Give the source a consumer of its own.";
        }

        if (_autoSource is not null)
        {
            return $"The Kafka consumer actor {path} serves {_autoSource.Spec.Name} with a topic subscription, so it cannot serve {spec.Name} too. "
                + "Give each source with a topic subscription a consumer of its own.";
        }

        if (spec.TrackOffsets && string.IsNullOrWhiteSpace(_config.GroupId))
        {
            return $"{spec.Name} commits offsets, but the Kafka consumer actor {path} has no group.id; create it with settings that set one (WithGroupId).";
        }

        if (spec.TrackOffsets && _config.EnableAutoCommit == true)
        {
            return $"{spec.Name} commits offsets once records are processed, but the Kafka consumer actor {path} has enable.auto.commit=true, "
                + "which would commit records still in flight; create it with enable.auto.commit=false (the reference configuration's value).";
        }

        var taken = _partitions.Values.Where(p => p.State.Assigned).Select(p => p.State.TopicPartition).ToHashSet();
        var overlap = ManualPartitions(spec.Subscription).Where(taken.Contains).ToList();
        return overlap.Count == 0
            ? null
            : $"{spec.Name} asks for {Describe(overlap)}, which another source of the Kafka consumer actor {path} already reads; a partition can be read by one source of a consumer only.";
    }

    private static IEnumerable<TopicPartition> ManualPartitions(Subscription subscription) => subscription switch
    {
        AssignmentSubscription assignment => assignment.Partitions,
        AssignmentWithOffsetSubscription withOffset => withOffset.Offsets.Select(o => o.TopicPartition),
        AssignmentOffsetsForTimesSubscription forTimes => forTimes.Timestamps.Select(t => t.TopicPartition),
        _ => [],
    };

    /// <summary>
    /// Hands nothing more to <paramref name="source"/> (its buffers complete, with <paramref name="failure"/> if given, and
    /// its partitions pause), and schedules its leave after <paramref name="leaveAfter"/> when given.
    /// </summary>
    private void StopSource(SourceEndpoint<TKey, TValue> source, TimeSpan? leaveAfter, Exception? failure = null)
    {
        if (!source.Stopped)
        {
            source.Stopped = true;
            source.Merged?.Writer.TryComplete(failure);
            source.PartitionsChannel?.Writer.TryComplete(failure);
            foreach (var partition in _partitions.Values)
            {
                if (partition.Endpoint == source)
                {
                    partition.State.Stopped = true;
                    partition.Channel?.Writer.TryComplete(failure);
                }
            }

            if (source.MergedOver)
            {
                source.MergedOver = false;
                _mergedOverCount--;
                source.Total!.StopAwaitingDrain();
            }
        }

        if (leaveAfter is not { } delay || source.ScheduledLeave is not null)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            Leave(source.Id);
        }
        else
        {
            source.ScheduledLeave = Context.System.Scheduler.ScheduleTellOnceCancelable(delay, Self, new ConsumerProtocol.LeaveSource(source.Id), Self);
        }
    }

    /// <summary>How long a source that ended other than through its control keeps the consumer serving its commits.</summary>
    private TimeSpan StopTimeout(SourceEndpoint<TKey, TValue> source) => source.Spec.StopTimeout ?? _options.StopTimeout;

    private void Leave(int id)
    {
        if (!_sources.TryGetValue(id, out var source))
        {
            return;
        }

        source.ScheduledLeave?.Cancel();
        if (_sources.Count == 1)
        {
            // The last source: the consumer commits what is processed, closes and stops.
            Shutdown(interruption: null);
            return;
        }

        // One of several external sources (manual assignments): commit its processed offsets, then give its partitions up.
        StopSource(source, leaveAfter: null);
        ApplyCompletions();
        var owned = _partitions.Values.Where(p => p.Endpoint == source && p.State.Assigned).Select(p => p.State.TopicPartition).ToHashSet();
        if (source.Spec.TrackOffsets)
        {
            FlushPositions(owned, "leaving");
        }

        if (owned.Count > 0)
        {
            EndAssignment(owned);
            _consumer!.IncrementalUnassign([.. owned]);
        }

        _sources.Remove(id);
        Context.Unwatch(source.Stage);
        source.CompleteLeft(null);
    }

    private void OnStageTerminated(IActorRef stage)
    {
        foreach (var source in _sources.Values)
        {
            if (source.Stage.Equals(stage) && !source.Stopped)
            {
                // The stage stopped without saying so (its stream was torn down): commits get stop-timeout, as on a cancel.
                StopSource(source, StopTimeout(source));
                return;
            }
        }
    }

    /// <summary>
    /// Commits what is processed, closes the client and stops the actor. Sources still reading (not stopped) fail with
    /// <paramref name="interruption"/> when one is given: the actor stopping under them is not their normal end.
    /// </summary>
    private void Shutdown(Exception? interruption)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            foreach (var source in _sources.Values)
            {
                StopSource(source, leaveAfter: null, interruption);
            }

            ShutdownGracefully();
            TerminateAll(null);
        }
#pragma warning disable CA1031 // The failure is handed to every source and to the handle.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CloseAfterFailure();
            TerminateAll(ex);
        }

        Context.Stop(Self);
    }

    private InvalidOperationException Interrupted(string what) =>
        new($"The Kafka consumer actor {Self.Path} {what} while its sources were still reading from it.");

    private void Fail(Exception failure)
    {
        if (!_closed)
        {
            _closed = true;
            KafkaLog.ConsumerFailed(_logger, _name, failure);
            CloseAfterFailure();
            TerminateAll(failure);
        }

        Context.Stop(Self);
    }

    private IConsumer<TKey, TValue> Build()
    {
        var builder = new ConsumerBuilder<TKey, TValue>(_config)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .SetStatisticsHandler(OnStatistics)
            .SetPartitionsAssignedHandler(OnPartitionsAssigned)
            .SetPartitionsRevokedHandler(OnPartitionsRevoked)
            .SetPartitionsLostHandler(OnPartitionsLost);
        if (_keyDeserializer is not null)
        {
            builder.SetKeyDeserializer(_keyDeserializer);
        }

        if (_valueDeserializer is not null)
        {
            builder.SetValueDeserializer(_valueDeserializer);
        }

        return builder.Build();
    }

    private void ApplySubscription(SourceEndpoint<TKey, TValue> source)
    {
        var consumer = _consumer!;
        switch (source.Spec.Subscription)
        {
            case TopicSubscription topics:
                _autoSource = source;
                consumer.Subscribe(topics.Topics);
                break;
            case TopicPatternSubscription pattern:
                _autoSource = source;
                consumer.Subscribe(pattern.Pattern);
                break;
            case AssignmentSubscription assignment:
                AssignManually(source, [.. assignment.Partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset))]);
                break;
            case AssignmentWithOffsetSubscription withOffset:
                AssignManually(source, withOffset.Offsets);
                break;
            case AssignmentOffsetsForTimesSubscription forTimes:
                AssignManually(source, consumer.OffsetsForTimes(forTimes.Timestamps, _options.CommitTimeout));
                break;
            default:
                throw new NotSupportedException($"Unknown subscription {source.Spec.Subscription}.");
        }
    }

    private void AssignManually(SourceEndpoint<TKey, TValue> source, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        var list = offsets.ToList();
        if (source.Spec.OffsetsOnAssign is { } chooser)
        {
            var chosen = chooser(list.Select(o => o.TopicPartition).ToHashSet());
            list = [.. list.Select(o => chosen.TryGetValue(o.TopicPartition, out var offset) ? new TopicPartitionOffset(o.TopicPartition, offset) : o)];
        }

        StartAssignment(list.Select(o => o.TopicPartition), source);

        // Incremental, so that the partitions of other sources sharing this consumer keep their positions.
        _consumer!.IncrementalAssign(list);
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
        if (_consumer is null)
        {
            return;
        }

        ApplyCompletions();
        DrainRequests();
        if (_commitWaiters.Count > 0 || _explicitCommits.Count > 0 || CollectPositions(null).Count > 0)
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
                    // Shutting down on the consumer's own thread: nothing else is left to serve while the commit backs off.
                    Thread.Sleep(_commitBackoff == TimeSpan.Zero ? _options.CommitRetryBackoff : _commitBackoff);
                }
            }

            // A failed final commit was logged; the records are read again after a restart, so shutdown goes on.
            _ = finalCommit.Task.Exception;
        }

        if (_autoSource?.Spec.Subscription is AutoSubscription { AssignmentHandler: { } handler } && _handle.Assigned.Length > 0)
        {
            var assignment = _handle.Assigned.Select(s => s.TopicPartition).ToHashSet();
            InvokeHandler("OnStopped", () => handler.OnStopped(assignment, new RestrictedConsumer<TKey, TValue>(_consumer)));
        }

        var started = _time.GetTimestamp();
        _handle.SetWakeup(null);
        _wakeup?.Dispose();
        try
        {
            // Leaves the group; the revocation callback runs once more and finds nothing left to commit.
            _consumer.Close();
        }
        catch (KafkaException ex)
        {
            KafkaLog.CloseFailed(_logger, _name, ex.Message);
        }

        _consumer.Dispose();
        _consumer = null;
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
        _handle.SetWakeup(null);
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

        _consumer = null;
    }

    private void TerminateAll(Exception? failure)
    {
        foreach (var source in _sources.Values)
        {
            source.ScheduledLeave?.Cancel();
            if (failure is null)
            {
                source.Merged?.Writer.TryComplete();
                source.PartitionsChannel?.Writer.TryComplete();
            }
            else
            {
                source.Merged?.Writer.TryComplete(failure);
                source.PartitionsChannel?.Writer.TryComplete(failure);
            }
        }

        foreach (var partition in _partitions.Values)
        {
            partition.Channel?.Writer.TryComplete(failure);
        }

        CompleteCommitWaiters(failure ?? _handle.TerminatedException());
        _handle.Terminate(failure);
        _over.Clear();
        _mergedOverCount = 0;
        foreach (var source in _sources.Values)
        {
            source.CompleteLeft(failure);
        }
    }

    private Partition GetOrCreate(TopicPartition tp)
    {
        if (!_partitions.TryGetValue(tp, out var partition))
        {
            partition = new Partition(new PartitionState(_handle, tp) { Tags = _telemetry.TagsFor(tp) });
            _partitions[tp] = partition;
        }

        return partition;
    }

    private void PublishAssignment() =>
        _handle.Assigned = [.. _partitions.Values.Where(p => p.State.Assigned).Select(p => p.State)];

    private static string Describe(IEnumerable<TopicPartition> partitions) => string.Join(", ", partitions.Select(p => $"{p.Topic} [{p.Partition.Value}]"));

    private static string Describe(IEnumerable<TopicPartitionOffset> positions) =>
        string.Join(", ", positions.Select(p => $"{p.Topic} [{p.Partition.Value}] @{p.Offset.Value}"));

    /// <summary>A partition as the actor tracks it: its shared state, its own buffer (partitioned sources) and the source it feeds.</summary>
    private sealed class Partition(PartitionState state)
    {
        public PartitionState State { get; } = state;

        public Channel<BufferedRecord<TKey, TValue>>? Channel { get; set; }

        public SourceEndpoint<TKey, TValue>? Endpoint { get; set; }
    }
}
