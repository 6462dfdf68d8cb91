using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Diagnostics.Metrics;
using Pipelines.Telemetry;

namespace Pipelines.Host.View;

/// <summary>
/// Listens to the <c>Pipelines</c> meter for the live view: adds up its counters per client id (or pipeline, or tier topic),
/// observes its gauges when read, and keeps each interval's lateness values. Instruments are matched by name, so those
/// created after the reader started (the consumers' gauges, the delay router's instruments) are picked up too.
/// </summary>
internal sealed class PipelinesMeterReader : IDisposable
{
    /// <summary>The consumer lag gauge (per partition).</summary>
    public const string LagGauge = "pipelines.consumer.lag";

    /// <summary>The records-in-flight gauge (per partition).</summary>
    public const string InFlightGauge = "pipelines.consumer.in_flight";

    // The instruments by their names as the library declares them; the gauges live in ConsumerGauges, named there.
    private static readonly Dictionary<string, Series> SeriesByName = new(StringComparer.Ordinal)
    {
        [PipelinesInstruments.Consumed.Name] = Series.Consumed,
        [PipelinesInstruments.Committed.Name] = Series.Committed,
        [PipelinesInstruments.Commits.Name] = Series.Commits,
        [PipelinesInstruments.Produced.Name] = Series.Produced,
        [PipelinesInstruments.ProduceFailures.Name] = Series.ProduceFailures,
        [PipelinesInstruments.Retries.Name] = Series.Retries,
        [PipelinesInstruments.DeadLetters.Name] = Series.DeadLetters,
        [PipelinesInstruments.DelayPending.Name] = Series.Pending,
        [PipelinesInstruments.DelayLateness.Name] = Series.Lateness,
        [PipelinesInstruments.Restarts.Name] = Series.Restarts,
        [LagGauge] = Series.Lag,
        [InFlightGauge] = Series.InFlight,
    };

    private readonly string _meterName;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<string, long>[] _totals = new ConcurrentDictionary<string, long>[(int)Series.Count];
    private readonly IntervalSamples _lateness = new();
    private readonly Lock _observeGate = new();
    private Dictionary<string, long>? _lag;
    private Dictionary<string, long>? _inFlight;

    /// <summary>Starts listening to the meter named <paramref name="meterName"/>.</summary>
    /// <param name="meterName">The meter; tests give their own so that nothing else in the process records into it.</param>
    public PipelinesMeterReader(string meterName = PipelinesTelemetry.MeterName)
    {
        _meterName = meterName;

        // Creating the library's instruments publishes them to every listener, and a listener's callback must not be the
        // first to touch them (it would see them half initialized): they exist before this listener starts.
        RuntimeHelpers.RunClassConstructor(typeof(PipelinesInstruments).TypeHandle);
        for (var i = 0; i < _totals.Length; i++)
        {
            _totals[i] = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        }

        _listener = new MeterListener { InstrumentPublished = OnPublished };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    private enum Series
    {
        Consumed,
        Committed,
        Commits,
        CommitFailures,
        Produced,
        ProduceFailures,
        Retries,
        DeadLetters,
        Pending,
        Restarts,

        // The series above are added up per key; the ones below are kept apart (samples, observed gauges).
        Count,
        Lateness,
        Lag,
        InFlight,
    }

    /// <summary>Observes the gauges and returns the totals so far with them; the lateness values since the previous call.</summary>
    public MeterReading Read()
    {
        Dictionary<string, long> lag;
        Dictionary<string, long> inFlight;
        lock (_observeGate)
        {
            _lag = new Dictionary<string, long>(StringComparer.Ordinal);
            _inFlight = new Dictionary<string, long>(StringComparer.Ordinal);
            _listener.RecordObservableInstruments();
            (lag, inFlight) = (_lag, _inFlight);
            (_lag, _inFlight) = (null, null);
        }

        return new MeterReading(
            Copy(Series.Consumed),
            Copy(Series.Committed),
            Copy(Series.Commits),
            Copy(Series.CommitFailures),
            Copy(Series.Produced),
            Copy(Series.ProduceFailures),
            Copy(Series.Restarts),
            lag,
            inFlight,
            Copy(Series.Pending),
            Total(Series.Retries),
            Total(Series.DeadLetters),
            _lateness.TakeSorted());
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string ?? string.Empty;
            }
        }

        return string.Empty;
    }

    private static bool Has(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return true;
            }
        }

        return false;
    }

    private void OnPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Name == _meterName && SeriesByName.TryGetValue(instrument.Name, out var series))
        {
            listener.EnableMeasurementEvents(instrument, series);
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is not Series series)
        {
            return;
        }

        switch (series)
        {
            case Series.Lag:
                Observe(_lag, Tag(tags, TagNames.ClientId), value);
                return;
            case Series.InFlight:
                Observe(_inFlight, Tag(tags, TagNames.ClientId), value);
                return;
            case Series.Commits when Has(tags, TagNames.ErrorType):
                Add(Series.CommitFailures, Tag(tags, TagNames.ClientId), value);
                return;
            case Series.Consumed or Series.Committed or Series.Commits or Series.Produced or Series.ProduceFailures:
                Add(series, Tag(tags, TagNames.ClientId), value);
                return;
            case Series.Pending:
                Add(series, Tag(tags, TagNames.Topic), value);
                return;
            case Series.Restarts:
                Add(series, Tag(tags, TagNames.Pipeline), value);
                return;
            case Series.Retries or Series.DeadLetters:
                Add(series, string.Empty, value);
                return;
            default:
                return;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is Series.Lateness)
        {
            _lateness.Add(value);
        }
    }

    // Gauges are observed only inside Read, on its thread, under its lock; a callback of another reader's
    // RecordObservableInstruments never reaches this listener.
    private static void Observe(Dictionary<string, long>? into, string client, long value)
    {
        if (into is not null)
        {
            into[client] = into.GetValueOrDefault(client) + value;
        }
    }

    private void Add(Series series, string key, long value) =>
        _totals[(int)series].AddOrUpdate(key, static (_, v) => v, static (_, total, v) => total + v, value);

    private Dictionary<string, long> Copy(Series series) => new(_totals[(int)series], StringComparer.Ordinal);

    private long? Total(Series series)
    {
        var totals = _totals[(int)series];
        return totals.IsEmpty ? null : totals.Values.Sum();
    }
}
