using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka;

// The rebalance callbacks (poll thread, inside Consume) and the start and end of partition assignments.
internal sealed partial class KafkaConsumerActor<TKey, TValue>
{
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
