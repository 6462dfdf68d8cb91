namespace Pipelines.Host.View;

/// <summary>
/// The values of a histogram recorded during one view interval, for its percentiles: every value up to
/// <see cref="Capacity"/>, then a uniform sample of that size (reservoir sampling), so memory stays bounded at any rate.
/// Thread-safe; recording allocates nothing once the buffer has grown.
/// </summary>
internal sealed class IntervalSamples
{
    /// <summary>The most values kept per interval.</summary>
    public const int Capacity = 16_384;

    private readonly Lock _gate = new();
    private readonly List<double> _values = [];
    private long _seen;

    /// <summary>Adds a value recorded now.</summary>
    public void Add(double value)
    {
        lock (_gate)
        {
            _seen++;
            if (_values.Count < Capacity)
            {
                _values.Add(value);
                return;
            }

            // Algorithm R: the n-th value replaces a kept one with probability Capacity / n.
            var slot = Random.Shared.NextInt64(_seen);
            if (slot < Capacity)
            {
                _values[(int)slot] = value;
            }
        }
    }

    /// <summary>Returns the values of the interval that ends now, sorted, and starts the next one empty.</summary>
    public double[] TakeSorted()
    {
        double[] values;
        lock (_gate)
        {
            values = [.. _values];
            _values.Clear();
            _seen = 0;
        }

        Array.Sort(values);
        return values;
    }

    /// <summary>The <paramref name="quantile"/> (0 to 1) of <paramref name="sorted"/> by nearest rank; null when it is empty.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
