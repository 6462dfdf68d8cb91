using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka;

// The rebalance callbacks (the actor's thread, inside Consume) and the start and end of partition assignments.
internal sealed partial class KafkaConsumerActor<TKey, TValue>
{
    private IEnumerable<TopicPartitionOffset> OnPartitionsAssigned(IConsumer<TKey, TValue> consumer, List<TopicPartition> partitions)
    {
        // An assignment ends a rebalance round (the cooperative protocol reports empty ones too).
        EndRebalanceHold();
        if (partitions.Count == 0)
        {
            return [];
        }

        var source = _autoSource;
        if (source is null)
        {
            // Every source left while the group still assigned (the consumer is closing): nothing reads these partitions.
            return [.. partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset))];
        }

        var handler = (source.Spec.Subscription as AutoSubscription)?.AssignmentHandler;
        var assigned = partitions.ToHashSet();
        var offsets = partitions.ToDictionary(tp => tp, _ => Offset.Unset);
        if (source.Spec.OffsetsOnAssign is { } chooser)
        {
            foreach (var (tp, offset) in chooser(assigned))
            {
                if (offsets.ContainsKey(tp))
                {
                    offsets[tp] = offset;
                }
            }
        }

        StartAssignment(partitions, source);
        if (handler is not null)
        {
            // Seeks requested by the handler become the assignment's start offsets (the assignment is applied after this
            // callback returns, so a client seek would be overwritten).
            _seeksDuringAssign = offsets;
            try
            {
                InvokeHandler("OnAssigned", () => handler.OnAssigned(assigned, new AssigningConsumer(this, consumer, assigned)));
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

        ApplyCompletions();
        FlushPositions(revoked, "revoked");
        EndAssignment(revoked);
        KafkaLog.Revoked(_logger, _name, Describe(revoked));
        if (AutoHandler is { } handler)
        {
            InvokeHandler("OnRevoked", () => handler.OnRevoked(revoked, new RestrictedConsumer<TKey, TValue>(consumer)));
        }
    }

    private void OnPartitionsLost(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> partitions)
    {
        EndRebalanceHold();
        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        EndAssignment(lost);
        KafkaLog.Lost(_logger, _name, Describe(lost));
        if (AutoHandler is { } handler)
        {
            InvokeHandler("OnLost", () => handler.OnLost(lost, new RestrictedConsumer<TKey, TValue>(consumer)));
        }
    }

    /// <summary>
    /// A commit was refused because the group is rebalancing: the partitions pause until the rebalance round ends, so that
    /// records fetched meanwhile are not emitted, processed and then read again by whoever owns their partition next (the
    /// group refuses their commits until then). Records already buffered or in flight still finish. With the cooperative
    /// protocol this also stops, for the round, partitions that stay; measured, it still re-delivers far fewer records.
    /// </summary>
    private void StartRebalanceHold()
    {
        if (_rebalanceHoldSince == 0)
        {
            _rebalanceHoldSince = _time.GetTimestamp();
            KafkaLog.RebalanceHold(_logger, _name);
        }
    }

    /// <summary>The rebalance round ended (an assignment, a loss, or a commit got through): fetching goes on.</summary>
    private void EndRebalanceHold() => _rebalanceHoldSince = 0;

    /// <summary>Whether partitions are held for a rebalance; a hold longer than the commit timeout is given up.</summary>
    private bool RebalanceHeld(long now)
    {
        if (_rebalanceHoldSince != 0 && _time.GetElapsedTime(_rebalanceHoldSince, now) > _options.CommitTimeout)
        {
            _rebalanceHoldSince = 0;
        }

        return _rebalanceHoldSince != 0;
    }

    private IPartitionAssignmentHandler? AutoHandler => (_autoSource?.Spec.Subscription as AutoSubscription)?.AssignmentHandler;

    private void StartAssignment(IEnumerable<TopicPartition> partitions, SourceEndpoint<TKey, TValue> source)
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
            state.Tracked = source.Spec.TrackOffsets;
            state.Stopped = source.Stopped;
            partition.Endpoint = source;
            source.AssignedCount++;
            state.LastCommitted = -1;
            state.PublishedCommitted = -1;
            state.WarnedStuckOffset = -1;
            state.Paused = false;
            state.PausedForBuffer = false;
            state.Over = false;
            state.Gauge.StopAwaitingDrain();
            state.NeedsPauseSync = true;
            state.ReaderEpoch = state.Ledger.Epoch;
            if (source.PartitionsChannel is { } readers)
            {
                var channel = Channel.CreateUnbounded<BufferedRecord<TKey, TValue>>(
                    new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
                partition.Channel = channel;
                if (source.Stopped)
                {
                    channel.Writer.TryComplete();
                }
                else
                {
                    readers.Writer.TryWrite(new ConsumerReader<TKey, TValue>(channel.Reader, _handle, total: null, tp));
                }
            }
        }

        _handle.CountRebalance();
        PublishAssignment();
        KafkaLog.Assigned(_logger, _name, Describe(list));
    }

    private void EndAssignment(IReadOnlySet<TopicPartition> partitions)
    {
        // Clear our pauses while the partitions are still assigned, so a later assignment of them starts unpaused.
        var paused = partitions.Where(tp => _partitions.TryGetValue(tp, out var p) && p.State.Assigned && p.State.Paused).ToList();
        if (paused.Count > 0)
        {
            try
            {
                _consumer!.Resume(paused);
            }
            catch (KafkaException ex)
            {
                KafkaLog.RetriableError(_logger, _name, ex.Error.Code, ex.Error.Reason);
            }
        }

        foreach (var tp in partitions)
        {
            if (!_partitions.TryGetValue(tp, out var partition) || !partition.State.Assigned)
            {
                continue;
            }

            var state = partition.State;
            state.Assigned = false;
            state.Tracked = false;
            state.Stopped = false;
            if (partition.Endpoint is { } source)
            {
                source.AssignedCount--;
            }

            partition.Endpoint = null;
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
        _handle.CountRebalance();
        PublishAssignment();
    }

    /// <summary>
    /// Commits the processed offsets of <paramref name="partitions"/> synchronously, before they go to another consumer (a
    /// revocation) or another owner (a source leaving), retrying retriable errors with backoff within the commit timeout.
    /// </summary>
    private void FlushPositions(IReadOnlySet<TopicPartition> partitions, string why)
    {
        var positions = CollectPositions(partitions);
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
                KafkaLog.FlushFailed(_logger, _name, why, exception?.Message ?? error.Reason);
                return;
            }

            // The rebalance waits for this flush by design; a short blocking backoff on the consumer's thread is the price.
            _handle.CountCommitRetry();
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
