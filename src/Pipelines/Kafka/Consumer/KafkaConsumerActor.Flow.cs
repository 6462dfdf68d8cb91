using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka;

// Polling, buffering and back-pressure: taking records, throttling, pausing and resuming partitions.
internal sealed partial class KafkaConsumerActor<TKey, TValue>
{
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
            if (state.NeedsPauseSync)
            {
                // A new assignment starts fetching unpaused. Never resume a partition that was not paused here: librdkafka
                // restarts a resumed partition's fetch from its last pause point, which for a fresh assignment is the
                // committed offset, so records already handed out would come again.
                state.NeedsPauseSync = false;
                if (pause)
                {
                    SetPaused(state, pause: true);
                }
            }
            else if (pause != state.Paused)
            {
                SetPaused(state, pause);
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

    private void SetPaused(PartitionState state, bool pause)
    {
        if (pause == state.Paused)
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
}
