using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>
/// Remembers when a pipeline's consumer last moved: received records, or committed positions that changed. Fed with
/// metrics snapshots whenever the pipeline's status is looked at, so no timer runs for it.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly Lock _gate = new();
    private long _received = -1;
    private long _committed = -1;
    private DateTimeOffset? _lastProgress;

    /// <summary>Notes <paramref name="metrics"/> seen at <paramref name="now"/>; returns when progress was last seen.</summary>
    public DateTimeOffset Observe(ConsumerMetrics metrics, DateTimeOffset now)
    {
        var committed = 0L;
        foreach (var partition in metrics.Partitions.Values)
        {
            if (partition.CommittedOffset >= 0)
            {
                committed += partition.CommittedOffset;
            }
        }

        lock (_gate)
        {
            // Any change counts: a new incarnation starts its counters again.
            if (_lastProgress is null || metrics.RecordsReceived != _received || committed != _committed)
            {
                _received = metrics.RecordsReceived;
                _committed = committed;
                _lastProgress = now;
            }

            return _lastProgress.Value;
        }
    }

    /// <summary>When progress was last seen, without a new observation.</summary>
    public DateTimeOffset? LastProgress
    {
        get
        {
            lock (_gate)
            {
                return _lastProgress;
            }
        }
    }
}
