using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Delay;

/// <summary>The router's counters and gauges, written by its stages and read by <see cref="DelayRouterControl.Metrics"/>.</summary>
internal sealed class RouterCounters
{
    private long _delivered;
    private long _cascaded;
    private long _cancelled;
    private long _duplicates;
    private long _released;
    private long _finished;

    public LatenessHistogram Lateness { get; } = new();

    public ConcurrentDictionary<TopicPartition, PartitionGauge> Partitions { get; } = new();

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Cascaded => Interlocked.Read(ref _cascaded);

    public long Cancelled => Interlocked.Read(ref _cancelled);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Records released by the reorder buffers and not yet finished.</summary>
    public long InFlight => Math.Max(0, Interlocked.Read(ref _released) - Interlocked.Read(ref _finished));

    public void Released() => Interlocked.Increment(ref _released);

    /// <summary>Counts a record whose produce (if any) was acknowledged; <paramref name="ackedAt"/> is the router's clock then.</summary>
    public void Finished(RoutedRecord record, DateTimeOffset ackedAt)
    {
        switch (record.Action)
        {
            case RouteAction.Deliver:
                Interlocked.Increment(ref _delivered);
                var lateness = ackedAt - record.Envelope.DueTime;
                Lateness.Record(lateness);
                PipelinesInstruments.RecordDelayLateness(record.Tier.Topic, lateness);
                break;
            case RouteAction.Cascade:
                Interlocked.Increment(ref _cascaded);
                break;
            case RouteAction.Cancelled:
                Interlocked.Increment(ref _cancelled);
                break;
            case RouteAction.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
        }
    }

    /// <summary>Counts a record as out of the router (its offset goes to the committer).</summary>
    public void Committing() => Interlocked.Increment(ref _finished);
}
