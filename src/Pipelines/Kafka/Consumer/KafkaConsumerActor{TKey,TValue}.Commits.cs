using Confluent.Kafka;
using Pipelines.Kafka.Native;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

// Completions, commit requests and commits: all on the actor's thread, where the ledgers live.
internal sealed partial class KafkaConsumerActor<TKey, TValue>
{
    private void DrainRequests()
    {
        while (_handle.TryDequeueRequest(out var request))
        {
            if (request.Position is not { } position)
            {
                AddCommitWaiter(request.Waiter);
                continue;
            }

            if (_explicitCommits.Count == 0 && _commitWaiters.Count == 0)
            {
                _commitFirstAttempt = _batchTimestamp;
            }

            _explicitCommits.Add((position, request.Waiter));
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
        while (_handle.TryDequeueCompletion(out var completion))
        {
            // Epoch and sequence pick the exact ledger entry; completions of an earlier assignment are ignored there.
            completion.Partition.Ledger.Complete(completion.Epoch, completion.Sequence, now, completion.Metadata);
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
                // A commit got through, or none is left to try: either way no refused commit holds the partitions any more.
                EndRebalanceHold();
                CompleteCommitWaiters(null);
                break;
            case CommitOutcome.OwnershipLost:
                CompleteCommitWaiters(null);
                if (!final && positions.Exists(p => _partitions.TryGetValue(p.TopicPartition, out var partition) && partition.State.Assigned))
                {
                    // Under the cooperative protocol a member keeps the partitions it still owns through a rebalance, but
                    // a commit sent with the generation that just ended is refused. Nobody else will read those records
                    // again, so their positions are committed again once the group has moved on (a partition revoked
                    // meanwhile drops out of the positions, and the retry then finds nothing to commit).
                    AddCommitWaiter(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    _nextCommitAttempt = now + (long)(MaxCommitBackoff.TotalSeconds * _time.TimestampFrequency);
                }

                break;
            case CommitOutcome.Retriable when _time.GetElapsedTime(_commitFirstAttempt) < _options.CommitTimeout && !final:
                if (error.Code == ErrorCode.RebalanceInProgress)
                {
                    StartRebalanceHold();
                }

                _handle.CountCommitRetry();
                _commitBackoff = _commitBackoff == TimeSpan.Zero ? _options.CommitRetryBackoff
                    : _commitBackoff * 2 > MaxCommitBackoff ? MaxCommitBackoff : _commitBackoff * 2;
                _nextCommitAttempt = now + (long)(_commitBackoff.TotalSeconds * _time.TimestampFrequency);
                KafkaLog.CommitRetry(_logger, _name, error.Code, error.Reason, _commitBackoff);
                break;
            default:
                _handle.CountCommitFailure();
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
        foreach (var state in _handle.Assigned)
        {
            if (!state.Tracked || (only is not null && !only.Contains(state.TopicPartition)))
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
            CommitWithMetadata(positions);
            MarkCommitted(positions);
            _handle.CountCommit();
            var elapsed = _time.GetElapsedTime(started);
            _telemetry.OnCommit(elapsed, error: null);
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
            _telemetry.OnCommit(_time.GetElapsedTime(started), error.Code);
            return Classify(error);
        }
        catch (KafkaException ex)
        {
            error = ex.Error;
            exception = ex;
            _telemetry.OnCommit(_time.GetElapsedTime(started), error.Code);
            return Classify(error);
        }
    }

    /// <summary>
    /// Commits <paramref name="positions"/>, each with the metadata of the last record below it when its source attached any
    /// (<see cref="KafkaConsumer.CommitWithMetadataSource{TKey, TValue}"/>); Confluent.Kafka cannot send metadata, so those
    /// commits go to librdkafka directly.
    /// </summary>
    private void CommitWithMetadata(List<TopicPartitionOffset> positions)
    {
        List<string?>? metadata = null;
        for (var i = 0; i < positions.Count; i++)
        {
            if (_partitions.TryGetValue(positions[i].TopicPartition, out var partition) && partition.State.Ledger.CommitMetadata is { } text)
            {
                metadata ??= [.. Enumerable.Repeat<string?>(null, positions.Count)];
                metadata[i] = text;
            }
        }

        if (metadata is null)
        {
            _consumer!.Commit(positions);
        }
        else
        {
            OffsetCommits.Commit(_consumer!, positions, metadata);
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
                ConsumerTelemetry.OnPositionCommitted(partition.State);
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
            case ErrorCode.FencedMemberEpoch:
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
            // The consumer protocol (KIP-848): the member's epoch moved on while the commit was under way; librdkafka
            // retries only its automatic commits, and the next attempt carries the new epoch.
            case ErrorCode.StaleMemberEpoch:
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

    private enum CommitOutcome
    {
        Committed,
        NothingToCommit,
        OwnershipLost,
        Retriable,
        Failed,
    }
}
