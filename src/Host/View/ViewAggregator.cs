using Pipelines.Configuration.Conversion;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Host.View;

/// <summary>
/// The live view's model: each <see cref="Take"/> reads the <c>Pipelines</c> meter and the pipeline registry and turns them
/// into a <see cref="ViewSnapshot"/>: counters into rates over the time since the previous snapshot (on the injected
/// clock), gauges as they are now, lateness into the interval's percentiles. Renderers only format snapshots.
/// </summary>
/// <remarks>
/// A pipeline's row reads the meter's series whose <c>messaging.client.id</c> is the pipeline's name (a consumer's
/// client id, else its group id); where the meter has none, it falls back to the registry's consumer metrics (records
/// received, commits, lag, in-flight). State and restarts always come from the registry. Not thread-safe: one caller.
/// </remarks>
internal sealed class ViewAggregator
{
    private readonly PipelinesMeterReader _meter;
    private readonly IPipelineRegistry? _registry;
    private readonly TimeProvider _time;
    private readonly string _tierPrefix;
    private readonly long _start;
    private readonly Dictionary<string, RowHistory> _history = new(StringComparer.Ordinal);
    private long _previous;

    /// <summary>Creates the model; the first snapshot's interval starts now.</summary>
    /// <param name="meter">The meter's reader.</param>
    /// <param name="registry">The hosted pipelines, if the host has any registry.</param>
    /// <param name="time">The clock of the intervals.</param>
    /// <param name="tierPrefix">The delay tier topics' prefix, left out of the tier names shown.</param>
    public ViewAggregator(PipelinesMeterReader meter, IPipelineRegistry? registry, TimeProvider time, string tierPrefix)
    {
        _meter = meter;
        _registry = registry;
        _time = time;
        _tierPrefix = tierPrefix;
        _start = time.GetTimestamp();
        _previous = _start;
    }

    /// <summary>The figures of the interval that ends now.</summary>
    public ViewSnapshot Take()
    {
        var now = _time.GetTimestamp();
        var interval = _time.GetElapsedTime(_previous, now);
        _previous = now;
        var reading = _meter.Read();
        var statuses = _registry?.GetStatuses() ?? [];

        var rows = new List<PipelineView>(statuses.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            names.Add(status.Name);
            rows.Add(PipelineRow(status, reading, interval));
        }

        var clients = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in (IReadOnlyDictionary<string, long>[])[reading.Consumed, reading.Committed, reading.Commits, reading.Produced, reading.Lag, reading.InFlight])
        {
            clients.UnionWith(series.Keys.Where(k => k.Length > 0 && !names.Contains(k)));
        }

        foreach (var client in clients)
        {
            rows.Add(ClientRow(client, reading, interval));
        }

        return new ViewSnapshot(_time.GetElapsedTime(_start, now), interval, rows, Delay(reading));
    }

    private static long? Get(IReadOnlyDictionary<string, long> series, string key) => series.TryGetValue(key, out var value) ? value : null;

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    private static double? Rate(long? total, long? previous, TimeSpan interval) =>
        total is { } t && interval > TimeSpan.Zero ? Math.Max(0, t - (previous ?? 0)) / interval.TotalSeconds : null;

    private PipelineView PipelineRow(PipelineStatus status, MeterReading reading, TimeSpan interval)
    {
        var name = status.Name;
        var history = History(name);
        var metrics = status.Metrics;
        var running = !ReferenceEquals(metrics, ConsumerMetrics.Empty);

        // The registry's counters restart with each incarnation; the history turns them into totals since the view started.
        var received = history.Received.Add(running ? metrics.RecordsReceived : null);
        var commitRequests = history.Commits.Add(running ? metrics.Commits : null);
        var consumed = Get(reading.Consumed, name) ?? received;
        var produced = Get(reading.Produced, name);
        var committed = Get(reading.Committed, name);
        var commits = Get(reading.Commits, name) ?? commitRequests;

        var knownLags = metrics.Partitions.Values.Where(p => p.Lag >= 0).ToList();
        long? lag = knownLags.Count > 0 ? knownLags.Sum(p => p.Lag) : Get(reading.Lag, name);
        long? inFlight = metrics.Partitions.Count > 0 ? metrics.Partitions.Values.Sum(p => (long)p.InFlight) : Get(reading.InFlight, name);
        var failures = (Get(reading.ProduceFailures, name) ?? 0) + (Get(reading.CommitFailures, name) ?? metrics.CommitFailures);

        var row = new PipelineView(
            name,
            status.State,
            Rate(consumed, history.Consumed, interval),
            Rate(produced, history.Produced, interval),
            lag,
            inFlight,
            commits,
            Rate(committed, history.Committed, interval),
            status.Restarts,
            failures,
            consumed,
            produced,
            committed);
        history.Remember(row);
        return row;
    }

    private PipelineView ClientRow(string client, MeterReading reading, TimeSpan interval)
    {
        var history = History(client);
        var consumed = Get(reading.Consumed, client);
        var produced = Get(reading.Produced, client);
        var committed = Get(reading.Committed, client);
        var row = new PipelineView(
            client,
            null,
            Rate(consumed, history.Consumed, interval),
            Rate(produced, history.Produced, interval),
            Get(reading.Lag, client),
            Get(reading.InFlight, client),
            Get(reading.Commits, client),
            Rate(committed, history.Committed, interval),
            Get(reading.Restarts, client),
            Sum(Get(reading.ProduceFailures, client), Get(reading.CommitFailures, client)) ?? 0,
            consumed,
            produced,
            committed);
        history.Remember(row);
        return row;
    }

    private DelayView Delay(MeterReading reading)
    {
        var tiers = reading.Pending
            .Select(p => new TierPending(TierName(p.Key), p.Value))
            .OrderBy(t => HoconDurations.TryParse(t.Tier, allowInfinite: false, out var delay, out _) ? delay : TimeSpan.MaxValue)
            .ThenBy(t => t.Tier, StringComparer.Ordinal)
            .ToList();
        var lateness = reading.LatenessSeconds;
        return new DelayView(
            tiers,
            Seconds(IntervalSamples.Percentile(lateness, 0.50)),
            Seconds(IntervalSamples.Percentile(lateness, 0.99)),
            reading.Retries,
            reading.DeadLetters);
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    private string TierName(string topic) =>
        _tierPrefix.Length > 0 && topic.Length > _tierPrefix.Length && topic.StartsWith(_tierPrefix, StringComparison.Ordinal)
            ? topic[_tierPrefix.Length..]
            : topic;

    private RowHistory History(string name)
    {
        if (!_history.TryGetValue(name, out var history))
        {
            history = new RowHistory();
            _history[name] = history;
        }

        return history;
    }

    /// <summary>What the previous snapshot showed for one row, for the next one's rates.</summary>
    private sealed class RowHistory
    {
        public IncarnationTotal Received { get; } = new();

        public IncarnationTotal Commits { get; } = new();

        public long? Consumed { get; private set; }

        public long? Produced { get; private set; }

        public long? Committed { get; private set; }

        public void Remember(PipelineView row)
        {
            Consumed = row.Consumed;
            Produced = row.Produced;
            Committed = row.Committed;
        }
    }

    /// <summary>A total since the view started, over counters that start again from zero with each incarnation.</summary>
    private sealed class IncarnationTotal
    {
        private long? _last;
        private long? _total;

        /// <summary>Takes the counter's current value (null while no incarnation runs) and returns the total so far.</summary>
        public long? Add(long? current)
        {
            if (current is not { } value)
            {
                _last = null;
                return _total;
            }

            // A value below the last one is a new incarnation counting from zero.
            var delta = _last is { } last && value >= last ? value - last : value;
            _last = value;
            _total = (_total ?? 0) + delta;
            return _total;
        }
    }
}
