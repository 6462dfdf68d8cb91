using System.Diagnostics.Metrics;
using Pipelines.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// The per-partition gauges of the running consumers (lag, records in flight, buffered records, paused), observed only when a
/// collector asks: the callbacks read the state each consumer publishes for <see cref="IControl.Metrics"/>, so a record costs
/// nothing here.
/// </summary>
internal static class ConsumerGauges
{
    private static readonly Lock Gate = new();
    private static ConsumerHandle[] _consumers = [];

    static ConsumerGauges()
    {
        var meter = PipelinesTelemetry.Meter;
        meter.CreateObservableGauge(
            "pipelines.consumer.lag", () => Observe(static s => s.Lag), "{record}",
            "Consumer lag per partition from the client's statistics (statistics.interval.ms); absent while unknown.");
        meter.CreateObservableGauge(
            "pipelines.consumer.in_flight", () => Observe(static s => s.PublishedInFlight), "{record}",
            "Records handed to the graph per partition whose offsets cannot be committed yet.");
        meter.CreateObservableGauge(
            "pipelines.consumer.buffered", () => Observe(static s => s.Buffered), "{record}",
            "Records waiting in the source's buffer per partition.");
        meter.CreateObservableGauge(
            "pipelines.consumer.paused", () => Observe(static s => s.Paused ? 1 : 0), "{partition}",
            "1 while the partition is paused for back-pressure, else 0.");
    }

    /// <summary>Adds a consumer whose partitions the gauges report until <see cref="Remove"/>.</summary>
    public static void Add(ConsumerHandle consumer)
    {
        lock (Gate)
        {
            _consumers = [.. _consumers, consumer];
        }
    }

    /// <summary>Stops reporting a consumer (it shut down).</summary>
    public static void Remove(ConsumerHandle consumer)
    {
        lock (Gate)
        {
            _consumers = [.. _consumers.Where(c => !ReferenceEquals(c, consumer))];
        }
    }

    private static List<Measurement<long>> Observe(Func<PartitionState, long> read)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var consumer in Volatile.Read(ref _consumers))
        {
            foreach (var state in consumer.Assigned)
            {
                if (state.Tags is not { } tags)
                {
                    continue;
                }

                var value = read(state);
                if (value >= 0)
                {
                    measurements.Add(new Measurement<long>(value, tags.Partition));
                }
            }
        }

        return measurements;
    }
}
