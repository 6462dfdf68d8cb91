namespace Pipelines.Engine;

/// <summary>
/// How <c>RestartSource</c> and <c>RestartFlow</c> back off between restarts: the n-th consecutive restart waits
/// <c>min(MaxBackoff, MinBackoff × 2^n) × (1 + random × RandomFactor)</c>, and at most <see cref="MaxRestarts"/>
/// restarts happen in a row. The count starts over when an incarnation ran longer than <see cref="MaxRestartsWithin"/>.
/// </summary>
public sealed class RestartSettings
{
    /// <summary>Creates settings; every invalid argument is reported at once in one <see cref="ArgumentException"/>.</summary>
    /// <param name="minBackoff">The wait before the first restart; must not be negative.</param>
    /// <param name="maxBackoff">The cap of the doubling wait; at least <paramref name="minBackoff"/>.</param>
    /// <param name="randomFactor">Jitter: each wait is stretched by up to this fraction (0 for none, 0.2 for up to 20 %).</param>
    /// <param name="maxRestarts">How many restarts may happen in a row; defaults to unlimited (<see cref="int.MaxValue"/>).</param>
    /// <param name="maxRestartsWithin">How long an incarnation must run for the count to start over; defaults to <paramref name="minBackoff"/>.</param>
    public RestartSettings(TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor, int maxRestarts = int.MaxValue, TimeSpan? maxRestartsWithin = null)
    {
        var within = maxRestartsWithin ?? minBackoff;
        var problems = new List<string>();
        if (minBackoff < TimeSpan.Zero)
        {
            problems.Add($"{nameof(minBackoff)} must not be negative (was {minBackoff})");
        }

        if (maxBackoff < minBackoff)
        {
            problems.Add($"{nameof(maxBackoff)} must be at least {nameof(minBackoff)} (was {maxBackoff} < {minBackoff})");
        }

        if (!double.IsFinite(randomFactor) || randomFactor < 0)
        {
            problems.Add($"{nameof(randomFactor)} must be a finite number of at least 0 (was {randomFactor})");
        }

        if (maxRestarts < 0)
        {
            problems.Add($"{nameof(maxRestarts)} must not be negative (was {maxRestarts})");
        }

        if (within < TimeSpan.Zero)
        {
            problems.Add($"{nameof(maxRestartsWithin)} must not be negative (was {within})");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid restart settings: " + string.Join("; ", problems) + ".");
        }

        MinBackoff = minBackoff;
        MaxBackoff = maxBackoff;
        RandomFactor = randomFactor;
        MaxRestarts = maxRestarts;
        MaxRestartsWithin = within;
    }

    /// <summary>The wait before the first restart of a series.</summary>
    public TimeSpan MinBackoff { get; }

    /// <summary>The cap of the doubling wait (jitter may stretch a capped wait by <see cref="RandomFactor"/>).</summary>
    public TimeSpan MaxBackoff { get; }

    /// <summary>The jitter: each wait is multiplied by a random factor between 1 and 1 + this value.</summary>
    public double RandomFactor { get; }

    /// <summary>How many restarts may happen in a row; when the next would exceed it, the stream ends with the last failure (or completes).</summary>
    /// <value>Defaults to <see cref="int.MaxValue"/>: unlimited.</value>
    public int MaxRestarts { get; }

    /// <summary>How long an incarnation must run for the restart count (and so the backoff) to start over.</summary>
    /// <value>Defaults to <see cref="MinBackoff"/>.</value>
    public TimeSpan MaxRestartsWithin { get; }

    /// <summary>Returns a copy allowing at most <paramref name="count"/> restarts in a row, the count starting over after an incarnation ran <paramref name="within"/>.</summary>
    public RestartSettings WithMaxRestarts(int count, TimeSpan within) => new(MinBackoff, MaxBackoff, RandomFactor, count, within);

    /// <summary>The wait before the restart numbered <paramref name="restartCount"/> (0 for the first of a series), given a random number in [0, 1).</summary>
    internal TimeSpan Backoff(int restartCount, double random)
    {
        // Doubling overflows long before 2^63 ticks matter: past the cap the exponent is irrelevant.
        var exponential = restartCount >= 62 ? double.PositiveInfinity : MinBackoff.Ticks * Math.Pow(2, restartCount);
        var capped = Math.Min(MaxBackoff.Ticks, exponential);
        var jittered = capped * (1 + (random * RandomFactor));
        return jittered >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)jittered);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"RestartSettings(MinBackoff={MinBackoff}, MaxBackoff={MaxBackoff}, RandomFactor={RandomFactor}, MaxRestarts={MaxRestarts}, MaxRestartsWithin={MaxRestartsWithin})";
}
