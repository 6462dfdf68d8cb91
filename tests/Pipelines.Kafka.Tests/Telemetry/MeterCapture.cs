using System.Diagnostics.Metrics;
using Pipelines.Telemetry;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>Records every measurement of the Pipelines meter while it lives, with its tags, through a <see cref="MeterListener"/>.</summary>
internal sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Measured> _measurements = [];

    public MeterCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PipelinesTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/> so far whose tag <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Measured> Of(string instrument, string tag, string value)
    {
        lock (_gate)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument && Equals(m.Tag(tag), value))];
        }
    }

    /// <summary>The sum of <see cref="Of"/>.</summary>
    public double Sum(string instrument, string tag, string value) => Of(instrument, tag, value).Sum(m => m.Value);

    /// <summary>Reads the observable instruments now and returns what <paramref name="instrument"/> reported with the tag.</summary>
    public IReadOnlyList<Measured> Observe(string instrument, string tag, string value)
    {
        int before;
        lock (_gate)
        {
            before = _measurements.Count;
        }

        _listener.RecordObservableInstruments();
        lock (_gate)
        {
            return [.. _measurements.Skip(before).Where(m => m.Instrument == instrument && Equals(m.Tag(tag), value))];
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measured = new Measured(instrument.Name, instrument.Unit, value, tags.ToArray());
        lock (_gate)
        {
            _measurements.Add(measured);
        }
    }

    internal sealed record Measured(string Instrument, string? Unit, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;

        public bool HasTag(string name) => Tags.Any(t => t.Key == name);
    }
}
