namespace Pipelines.Delay;

/// <summary>What one partition's reorder buffer holds, written by its stage and read by metrics snapshots.</summary>
internal sealed class PartitionGauge
{
    private int _held;
    private long _headTicks = -1;

    public int Held => Volatile.Read(ref _held);

    public DateTimeOffset? HeadEligibleAt
    {
        get
        {
            var ticks = Volatile.Read(ref _headTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Update(int held, DateTimeOffset? head)
    {
        Volatile.Write(ref _headTicks, head?.UtcTicks ?? -1);
        Volatile.Write(ref _held, held);
    }
}
