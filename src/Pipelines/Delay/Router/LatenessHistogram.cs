using System.Numerics;

namespace Pipelines.Delay;

/// <summary>
/// A lock-free histogram of delivery lateness in milliseconds: exact below 64 ms, then 32 buckets per power of two
/// (within about 3 %), so a snapshot gives percentiles without keeping the samples. Recording allocates nothing.
/// </summary>
internal sealed class LatenessHistogram
{
    private const int Exact = 64;
    private const int SubBuckets = 32;
    private readonly long[] _counts = new long[Exact + ((63 - 6 + 1) * SubBuckets)];
    private long _count;
    private long _sumMs;
    private long _maxMs;
    private long _early;

    /// <summary>Records one delivery <paramref name="lateness"/> after its due time; a negative one counts as early.</summary>
    public void Record(TimeSpan lateness)
    {
        if (lateness < TimeSpan.Zero)
        {
            Interlocked.Increment(ref _early);
            return;
        }

        var ms = lateness.Ticks / TimeSpan.TicksPerMillisecond;
        Interlocked.Increment(ref _counts[Index(ms)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMs, ms);
        long max;
        while (ms > (max = Volatile.Read(ref _maxMs)) && Interlocked.CompareExchange(ref _maxMs, ms, max) != max)
        {
        }
    }

    /// <summary>A snapshot of the counts so far.</summary>
    public DelayLateness Snapshot()
    {
        var count = Volatile.Read(ref _count);
        return new DelayLateness(
            count,
            Volatile.Read(ref _early),
            Percentile(count, 0.50),
            Percentile(count, 0.99),
            TimeSpan.FromMilliseconds(Volatile.Read(ref _maxMs)),
            count == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds((double)Volatile.Read(ref _sumMs) / count));
    }

    private TimeSpan Percentile(long count, double quantile)
    {
        if (count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(quantile * count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                // The bucket's upper bound, capped by the largest value seen: never understates lateness.
                return TimeSpan.FromMilliseconds(Math.Min(UpperBound(i), Volatile.Read(ref _maxMs)));
            }
        }

        return TimeSpan.FromMilliseconds(Volatile.Read(ref _maxMs));
    }

    private static int Index(long ms)
    {
        if (ms < Exact)
        {
            return (int)ms;
        }

        var top = 63 - BitOperations.LeadingZeroCount((ulong)ms);
        var shift = top - 5;
        return Exact + ((top - 6) * SubBuckets) + (int)((ms >> shift) - SubBuckets);
    }

    private static long UpperBound(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var top = ((index - Exact) / SubBuckets) + 6;
        var shift = top - 5;
        var sub = ((index - Exact) % SubBuckets) + SubBuckets;
        return ((long)(sub + 1) << shift) - 1;
    }
}
