using System.Diagnostics.Metrics;
using Pipelines.Host.View;
using Pipelines.Telemetry;

namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>
/// A meter of its own (a unique name) with the Pipelines instruments' names and tags, so that what a test records reaches
/// only its own reader, whatever else runs in the process.
/// </summary>
internal sealed class TestMeter : IDisposable
{
    private readonly Meter _meter = new("view-test-" + Guid.NewGuid().ToString("N"));
    private readonly List<Measurement<long>> _lag = [];
    private readonly List<Measurement<long>> _inFlight = [];

    public TestMeter()
    {
        Consumed = _meter.CreateCounter<long>(PipelinesInstruments.Consumed.Name);
        Committed = _meter.CreateCounter<long>(PipelinesInstruments.Committed.Name);
        Commits = _meter.CreateCounter<long>(PipelinesInstruments.Commits.Name);
        Produced = _meter.CreateCounter<long>(PipelinesInstruments.Produced.Name);
        ProduceFailures = _meter.CreateCounter<long>(PipelinesInstruments.ProduceFailures.Name);
        Retries = _meter.CreateCounter<long>(PipelinesInstruments.Retries.Name);
        DeadLetters = _meter.CreateCounter<long>(PipelinesInstruments.DeadLetters.Name);
        Pending = _meter.CreateUpDownCounter<long>(PipelinesInstruments.DelayPending.Name);
        Lateness = _meter.CreateHistogram<double>(PipelinesInstruments.DelayLateness.Name);
        Restarts = _meter.CreateCounter<long>(PipelinesInstruments.Restarts.Name);
        _meter.CreateObservableGauge(PipelinesMeterReader.LagGauge, () => Snapshot(_lag));
        _meter.CreateObservableGauge(PipelinesMeterReader.InFlightGauge, () => Snapshot(_inFlight));
    }

    public string Name => _meter.Name;

    public Counter<long> Consumed { get; }

    public Counter<long> Committed { get; }

    public Counter<long> Commits { get; }

    public Counter<long> Produced { get; }

    public Counter<long> ProduceFailures { get; }

    public Counter<long> Retries { get; }

    public Counter<long> DeadLetters { get; }

    public UpDownCounter<long> Pending { get; }

    public Histogram<double> Lateness { get; }

    public Counter<long> Restarts { get; }

    public static KeyValuePair<string, object?> Client(string clientId) => new(TagNames.ClientId, clientId);

    public static KeyValuePair<string, object?> Topic(string topic) => new(TagNames.Topic, topic);

    /// <summary>Sets the lag gauge's partitions (client, partition, lag).</summary>
    public void SetLag(params (string Client, int Partition, long Value)[] partitions) => Set(_lag, partitions);

    /// <summary>Sets the in-flight gauge's partitions (client, partition, records).</summary>
    public void SetInFlight(params (string Client, int Partition, long Value)[] partitions) => Set(_inFlight, partitions);

    public void Dispose() => _meter.Dispose();

    private static void Set(List<Measurement<long>> gauge, (string Client, int Partition, long Value)[] partitions)
    {
        lock (gauge)
        {
            gauge.Clear();
            gauge.AddRange(partitions.Select(p => new Measurement<long>(
                p.Value, Client(p.Client), new(TagNames.ConsumerGroup, "group"), Topic("orders"), new(TagNames.Partition, p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        }
    }

    private static List<Measurement<long>> Snapshot(List<Measurement<long>> gauge)
    {
        lock (gauge)
        {
            return [.. gauge];
        }
    }
}
