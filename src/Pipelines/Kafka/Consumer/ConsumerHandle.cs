using System.Collections.Concurrent;
using Pipelines.Kafka.Native;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// The thread-safe side of a <see cref="KafkaConsumerActor{TKey, TValue}"/>: what stages, controls and committable offsets
/// reach without an actor message. Completions and commit requests go into lock-free queues that the actor drains between
/// polls; a wake-up makes a poll that is blocked in the client (or a throttled wait) return at once.
/// </summary>
/// <remarks>
/// The handle outlives the actor: after the actor stopped, commit requests fail at once with an error that says so, and
/// <see cref="Completion"/> carries the consumer's outcome for anyone who looks later (a stage that sees the actor
/// terminate reads <see cref="Failure"/> to report why).
/// </remarks>
internal sealed class ConsumerHandle : IOffsetCommitter, IConsumerPollLoop
{
    private readonly ConcurrentQueue<CommittableOffset> _completions = new();
    private readonly ConcurrentQueue<ConsumerRequest> _requests = new();
    private readonly ManualResetEventSlim _wakeEvent = new(false);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ConsumerWakeup? _wakeup;
    private volatile PartitionState[] _assigned = [];
    private volatile bool _terminated;
    private volatile bool _awaitingCompletions;
    private volatile Exception? _failure;
    private int _wakePending;
    private long _recordsReceived;
    private long _pauses;
    private long _resumes;
    private long _commits;
    private long _commitRetries;
    private long _commitFailures;
    private long _rebalances;

    public ConsumerHandle(string name, string groupId)
    {
        Name = name;
        GroupId = groupId;
    }

    /// <summary>The consumer's name in logs and errors (its client id, else its group id).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public string GroupId { get; }

    /// <summary>Completes when the consumer is closed; faults with the error that stopped it.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Whether the consumer has shut down (cleanly or not).</summary>
    public bool IsTerminated => _terminated;

    /// <summary>The error that stopped the consumer, or <see langword="null"/>.</summary>
    public Exception? Failure => _failure;

    /// <summary>Whether the actor wants a wake-up for every completion (a partition is paused for offsets in flight).</summary>
    internal bool AwaitingCompletions
    {
        get => _awaitingCompletions;
        set => _awaitingCompletions = value;
    }

    /// <summary>The partitions assigned now, as last published by the actor.</summary>
    internal PartitionState[] Assigned
    {
        get => _assigned;
        set => _assigned = value;
    }

    /// <summary>The wait a throttled poll loop blocks on until a wake-up or its deadline.</summary>
    internal ManualResetEventSlim WakeEvent => _wakeEvent;

    /// <summary>Whether a wake-up was requested since the actor last looked.</summary>
    internal bool WakePending => Volatile.Read(ref _wakePending) != 0;

    /// <summary>Whether requests wait in the queue.</summary>
    internal bool HasRequests => !_requests.IsEmpty;

    /// <summary>A snapshot of the counters and of the assigned partitions.</summary>
    public ConsumerMetrics Metrics
    {
        get
        {
            var partitions = new Dictionary<Confluent.Kafka.TopicPartition, PartitionMetrics>();
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

    /// <inheritdoc />
    public void MarkProcessed(CommittableOffset offset)
    {
        _completions.Enqueue(offset);
        if (_awaitingCompletions)
        {
            Wake();
        }
    }

    /// <inheritdoc />
    public Task CommitAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new ConsumerRequest(waiter, null));
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <summary>Commits exactly the given position (next offset to read), bypassing the ledgers (at-most-once delivery).</summary>
    public Task CommitPositionAsync(Confluent.Kafka.TopicPartitionOffset position, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new ConsumerRequest(waiter, position));
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <inheritdoc />
    public void RequestResume() => Wake();

    /// <summary>Makes a blocked poll (or throttled wait) of the actor return at once; cheap when one is pending already.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wakeup?.Wake();
            _wakeEvent.Set();
        }
    }

    /// <summary>Clears the wake-up state before a loop turn; requests and completions queued after this wake the next poll.</summary>
    internal void ResetWake()
    {
        _wakeEvent.Reset();
        // A full fence: requests enqueued before this point are seen by the turn; later ones wake the next poll.
        Interlocked.Exchange(ref _wakePending, 0);
    }

    /// <summary>Connects the client's wake-up (once it is built), or disconnects it before the client closes.</summary>
    internal void SetWakeup(ConsumerWakeup? wakeup) => _wakeup = wakeup;

    internal bool TryDequeueCompletion(out CommittableOffset offset) => _completions.TryDequeue(out offset!);

    internal bool TryDequeueRequest(out ConsumerRequest request) => _requests.TryDequeue(out request!);

    internal void CountReceived() => Volatile.Write(ref _recordsReceived, _recordsReceived + 1);

    internal void CountPause() => Interlocked.Increment(ref _pauses);

    internal void CountResume() => Interlocked.Increment(ref _resumes);

    internal void CountCommit() => Interlocked.Increment(ref _commits);

    internal void CountCommitRetry() => Interlocked.Increment(ref _commitRetries);

    internal void CountCommitFailure() => Interlocked.Increment(ref _commitFailures);

    internal void CountRebalance() => Interlocked.Increment(ref _rebalances);

    /// <summary>Ends the consumer: later requests fail at once, pending ones with <paramref name="failure"/> or a "shut down" error.</summary>
    internal void Terminate(Exception? failure)
    {
        _failure ??= failure;
        _terminated = true;
        _assigned = [];
        ConsumerGauges.Remove(this);
        FailPendingRequests(failure ?? TerminatedException());
        if (failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(failure);
        }
    }

    /// <summary>The error commit requests get once the consumer is gone.</summary>
    internal InvalidOperationException TerminatedException() =>
        new($"The Kafka consumer {Name} has shut down; its offsets can no longer be committed (the records will be read again after a restart).");

    private void Enqueue(ConsumerRequest request)
    {
        _requests.Enqueue(request);
        if (_terminated)
        {
            // The actor may have drained the queue for the last time already.
            FailPendingRequests(_failure ?? TerminatedException());
            return;
        }

        Wake();
    }

    private void FailPendingRequests(Exception failure)
    {
        while (_requests.TryDequeue(out var request))
        {
            request.Waiter.TrySetException(failure);
        }
    }
}
