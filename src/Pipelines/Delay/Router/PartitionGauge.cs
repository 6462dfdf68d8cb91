using Pipelines.Telemetry;

namespace Pipelines.Delay;

/// <summary>
/// What one partition's reorder buffer holds, written by its stage and read by metrics snapshots. Each change is also
/// added to the <c>pipelines.delay.pending</c> up-down counter of the partition's tier topic while someone listens.
/// </summary>
internal sealed class PartitionGauge
{
    private readonly string _tierTopic;
    private int _held;
    private long _headTicks = -1;

    // What this partition has added to pipelines.delay.pending so far; only the stage's thread writes it.
    private int _reported;

    public PartitionGauge(string tierTopic)
    {
        _tierTopic = tierTopic;
    }

    public int Held => Volatile.Read(ref _held);

    public DateTimeOffset? HeadEligibleAt
    {
        get
        {
            var ticks = Volatile.Read(ref _headTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Called by the partition's stage on every change; the stage reports 0 when it stops with records held (they are dropped).</summary>
    public void Update(int held, DateTimeOffset? head)
    {
        Volatile.Write(ref _headTicks, head?.UtcTicks ?? -1);
        Volatile.Write(ref _held, held);
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
