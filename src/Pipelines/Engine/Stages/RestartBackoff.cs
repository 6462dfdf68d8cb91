namespace Pipelines.Engine.Stages;

/// <summary>
/// The restart bookkeeping shared by the restart stages: counts consecutive restarts, starts the count over when an
/// incarnation outlived <see cref="RestartSettings.MaxRestartsWithin"/>, and computes the next wait. Owned by one stage.
/// </summary>
internal sealed class RestartBackoff(RestartSettings settings, TimeProvider clock)
{
    private long _startedAt;

    /// <summary>Consecutive restarts so far (the exponent of the next wait).</summary>
    public int RestartCount { get; private set; }

    /// <summary>Notes that an incarnation just started.</summary>
    public void Started() => _startedAt = clock.GetTimestamp();

    /// <summary>Returns the wait before the next restart, or <see langword="false"/> when the restart limit is reached.</summary>
    public bool TryNext(out TimeSpan delay)
    {
        if (clock.GetElapsedTime(_startedAt) >= settings.MaxRestartsWithin)
        {
            RestartCount = 0;
        }

        if (RestartCount >= settings.MaxRestarts)
        {
            delay = default;
            return false;
        }

        delay = settings.Backoff(RestartCount, settings.RandomFactor == 0 ? 0 : Random.Shared.NextDouble());
        RestartCount++;
        return true;
    }
}
