using Pipelines.Telemetry;

namespace Pipelines.Delay;

/// <summary>
/// What one partition's buffers hold (its reorder buffer, waiting for the tier's delay, and its hold buffer, waiting for
/// due times), written by their stages and read by metrics snapshots. Each change is also added to the
/// <c>pipelines.delay.pending</c> up-down counter of the partition's tier topic while someone listens.
/// </summary>
internal sealed class PartitionGauge
{
    private readonly string _tierTopic;
    private readonly Lock _lock = new();
    private int _waiting;
    private int _holding;
    private long _waitingHeadTicks = -1;
    private long _holdingHeadTicks = -1;

    // What this partition has added to pipelines.delay.pending so far.
    private int _reported;

    public PartitionGauge(string tierTopic)
    {
        _tierTopic = tierTopic;
    }

    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _waiting + _holding;
            }
        }
    }

    /// <summary>The earliest time a held record may leave, if any is held.</summary>
    public DateTimeOffset? HeadEligibleAt
    {
        get
        {
            lock (_lock)
            {
                var ticks = _waitingHeadTicks < 0 ? _holdingHeadTicks : _holdingHeadTicks < 0 ? _waitingHeadTicks : Math.Min(_waitingHeadTicks, _holdingHeadTicks);
                return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }
    }

    /// <summary>Called by the reorder buffer's stage on every change; the stage reports 0 when it stops with records held (they are dropped).</summary>
    public void UpdateWaiting(int held, DateTimeOffset? head)
    {
        lock (_lock)
        {
            _waiting = held;
            _waitingHeadTicks = head?.UtcTicks ?? -1;
            Report();
        }
    }

    /// <summary>Called by the hold buffer's stage on every change, as <see cref="UpdateWaiting"/>.</summary>
    public void UpdateHolding(int held, DateTimeOffset? head)
    {
        lock (_lock)
        {
            _holding = held;
            _holdingHeadTicks = head?.UtcTicks ?? -1;
            Report();
        }
    }

    private void Report()
    {
        var held = _waiting + _holding;
        if (PipelinesInstruments.DelayPending.Enabled)
        {
            var delta = held - _reported;
            if (delta != 0)
            {
                PipelinesInstruments.RecordDelayPending(_tierTopic, delta);
                _reported = held;
            }
        }
        else
        {
            // Nobody keeps a sum: a listener that starts later receives the whole count with the next change.
            _reported = 0;
        }
    }
}
