using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka;

// Polling, buffering and back-pressure: taking records, throttling, pausing and resuming partitions.
internal sealed partial class KafkaConsumerActor<TKey, TValue>
{
    private bool IsThrottled => _over.Count > 0 || _mergedOverCount > 0;

    private void UpdatePauses()
    {
        // A buffer over its size stops the loop from taking records (librdkafka keeps what it prefetched), until it drains
        // to half. Pausing is the second resort, because a pause makes librdkafka drop the partition's prefetched records
        // and fetch them again on resume: the single reader of all partitions is paused out only when it made no progress
        // for poll-interval; a partition substream, when it did not drain within poll-interval (a slow substream must not
        // hold up the others).
        var now = _time.GetTimestamp();
        if (_mergedOverCount > 0)
        {
            foreach (var source in _sources.Values)
            {
                if (source.MergedOver)
                {
                    UpdateMergedOver(source, now);
                }
            }
        }

        for (var i = _over.Count - 1; i >= 0; i--)
        {
            var state = _over[i];
            var drained = state.Buffered <= _resumeThreshold;
            if (state.Assigned && !state.Stopped && !drained && _time.GetElapsedTime(state.OverSince, now) < _options.PollInterval)
            {
                continue;
            }

            state.Over = false;
            _over.RemoveAt(i);
            if (state.Assigned && !state.Stopped && !drained)
            {
                state.PausedForBuffer = true;
            }
            else
            {
                state.Gauge.StopAwaitingDrain();
            }
        }

        var inFlightPaused = false;
        var held = RebalanceHeld(now);
        foreach (var source in _sources.Values)
        {
            if (source.Total is { } total && !source.MergedOver && total.Count <= source.MergedBudget(_options.BufferSize) / 2)
            {
                total.StopAwaitingDrain();
            }
        }

        foreach (var state in _handle.Assigned)
        {
            var overInFlight = state.Tracked && state.Ledger.InFlight >= _options.MaxInFlightPerPartition;
            inFlightPaused |= overInFlight;
            if (state.PausedForBuffer && Drained(state))
            {
                state.PausedForBuffer = false;
                state.Gauge.StopAwaitingDrain();
            }

            var pause = state.Stopped || overInFlight || state.PausedForBuffer || held;
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

        _handle.AwaitingCompletions = inFlightPaused;
        FlushPauseChanges();
    }

    /// <summary>Whether a partition paused for its buffer may resume: its own buffer, or its source's merged buffer, drained to half.</summary>
    private bool Drained(PartitionState state)
    {
        if (!_partitions.TryGetValue(state.TopicPartition, out var partition) || partition.Endpoint?.Total is not { } total)
        {
            return state.Buffered <= _resumeThreshold;
        }

        return total.Count <= partition.Endpoint.MergedBudget(_options.BufferSize) / 2;
    }

    private void UpdateMergedOver(SourceEndpoint<TKey, TValue> source, long now)
    {
        var total = source.Total!;
        if (source.Stopped || total.Count <= source.MergedBudget(_options.BufferSize) / 2)
        {
            source.MergedOver = false;
            _mergedOverCount--;
            total.StopAwaitingDrain();
            return;
        }

        if (_time.GetElapsedTime(source.MergedOverSince, now) < _options.PollInterval)
        {
            return;
        }

        if (total.Taken != source.MergedTakenMark)
        {
            // Slow but moving: keep waiting without pausing.
            source.MergedOverSince = now;
            source.MergedTakenMark = total.Taken;
            return;
        }

        // The reader made no progress for poll-interval: pause every partition of the source that has records waiting, until
        // its buffer drains.
        source.MergedOver = false;
        _mergedOverCount--;
        foreach (var partition in _partitions.Values)
        {
            if (partition.Endpoint == source && partition.State.Assigned && partition.State.Buffered > 0)
            {
                partition.State.PausedForBuffer = true;
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
                _handle.CountPause();
            }
        }
        else
        {
            _toResume.Add(state.TopicPartition);
            if (state.Paused)
            {
                _handle.CountResume();
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

    private void EnterMergedOver(SourceEndpoint<TKey, TValue> source)
    {
        source.MergedOver = true;
        _mergedOverCount++;
        source.MergedOverSince = _time.GetTimestamp();
        source.MergedTakenMark = source.Total!.Taken;
        source.Total.AwaitDrain(source.MergedBudget(_options.BufferSize) / 2);
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

        foreach (var source in _sources.Values)
        {
            if (source.MergedOver)
            {
                var left = _options.PollInterval - _time.GetElapsedTime(source.MergedOverSince);
                wait = left < wait ? left : wait;
            }
        }

        if (wait > TimeSpan.Zero && !_handle.HasRequests && !_handle.WakePending)
        {
            // Blocks the actor's own (pinned) thread for at most poll-interval; a wake-up ends the wait at once.
            _handle.WakeEvent.Wait(wait);
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
        foreach (var state in _handle.Assigned)
        {
            if (!state.Tracked)
            {
                continue;
            }

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
        if (_handle.HasRequests || _handle.WakePending)
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
        if (!state.Assigned || state.Stopped)
        {
            // Fetched before a revocation or a stop took effect: never emitted, so read again later by its owner.
            return;
        }

        var source = partition.Endpoint!;
        var sequence = -1L;
        if (state.Tracked)
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
        var total = source.Total;
        total?.OnWritten();
        var record = new BufferedRecord<TKey, TValue>(result, state, state.Ledger.Epoch, sequence);
        (partition.Channel?.Writer ?? source.Merged!.Writer).TryWrite(record);
        _handle.CountReceived();
        _telemetry.OnConsumed(state);

        if (total is not null)
        {
            if (!source.MergedOver && total.Count >= source.MergedBudget(_options.BufferSize))
            {
                EnterMergedOver(source);
            }
        }
        else if (!state.Over && !state.Paused && state.Buffered >= _options.BufferSize)
        {
            EnterOver(state);
        }
    }
}
