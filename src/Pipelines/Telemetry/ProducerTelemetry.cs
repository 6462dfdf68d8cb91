using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// A producer stage's side of the metrics and traces. Metrics: each delivery report adds to the produced or failures counter
/// with tags made once per topic (nothing allocated, one flag check when nobody listens). Traces: when the activity source has
/// listeners, each record gets a <c>send {topic}</c> span whose context goes into the record's headers; its parent is the
/// activity the record was made in, else the trace context of the consumed record whose offset it passes through.
/// </summary>
/// <remarks>Delivery reports arrive on the client's thread, sends happen on the stream's thread: the per-topic tags are shared.</remarks>
internal sealed class ProducerTelemetry
{
    private readonly KeyValuePair<string, object?>[] _clientTags;
    private readonly ConcurrentDictionary<string, TopicEntry> _topics = new(StringComparer.Ordinal);
    private volatile TopicEntry? _last;

    public ProducerTelemetry(string? clientId)
    {
        _clientTags = string.IsNullOrEmpty(clientId) ? [] : [new(TagNames.ClientId, clientId)];
    }

    /// <summary>Whether send spans are made: the activity source has listeners.</summary>
    public static bool IsTracing => PipelinesTelemetry.Source.HasListeners();

    /// <summary>
    /// The parent a record's send span takes from its envelope's pass-through value when the record was not made inside an
    /// activity: the consumed record's trace context when the pass-through is its committable offset.
    /// </summary>
    public static ActivityContext PassThroughParent<TKey, TValue, TPassThrough>(ProducerRecord<TKey, TValue> record, TPassThrough passThrough) =>
        IsTracing && record.Parent is null && passThrough is CommittableOffset offset ? offset.TraceContext : default;

    /// <summary>
    /// Starts the send span of <paramref name="record"/> and writes its context into the record's headers; null when no listener
    /// wants it. Leaves <see cref="Activity.Current"/> as it was, since the stream's thread runs other stages too.
    /// </summary>
    public Activity? StartSend<TKey, TValue>(ProducerRecord<TKey, TValue> record, ActivityContext passThroughParent)
    {
        var entry = Entry(record.Topic);
        var parent = record.Parent is { } made ? made.Context : passThroughParent;
        var previous = Activity.Current;
        var activity = PipelinesTelemetry.Source.StartActivity(entry.SpanName, ActivityKind.Producer, parent, entry.SpanTags);
        Activity.Current = previous;
        if (activity is null)
        {
            return null;
        }

        record.Headers ??= [];
        KafkaTraceContext.Inject(activity, record.Headers);
        return activity;
    }

    /// <summary>Counts a delivery report (client's thread).</summary>
    public void Delivered<TKey, TValue>(DeliveryReport<TKey, TValue> report)
    {
        if (!report.Error.IsError)
        {
            if (PipelinesInstruments.Produced.Enabled)
            {
                PipelinesInstruments.Produced.Add(1, Entry(report.Topic).Tags);
            }
        }
        else
        {
            Failed(report.Topic, report.Error.Code);
        }
    }

    /// <summary>Counts a record that could not be produced.</summary>
    public void Failed(string topic, ErrorCode code)
    {
        if (PipelinesInstruments.ProduceFailures.Enabled)
        {
            // Failures are rare: their tags are made per failure.
            PipelinesInstruments.ProduceFailures.Add(1, [.. Entry(topic).Tags, new(TagNames.ErrorType, ErrorCodeNames.Of(code))]);
        }
    }

    private TopicEntry Entry(string topic)
    {
        // Nearly every stage produces to one topic, and the client hands back the record's own topic string.
        var last = _last;
        if (last is not null && (ReferenceEquals(last.Topic, topic) || string.Equals(last.Topic, topic, StringComparison.Ordinal)))
        {
            return last;
        }

        var entry = _topics.GetOrAdd(topic, static (t, clientTags) => new TopicEntry(t, clientTags), _clientTags);
        _last = entry;
        return entry;
    }

    private sealed class TopicEntry
    {
        public TopicEntry(string topic, KeyValuePair<string, object?>[] clientTags)
        {
            Topic = topic;
            Tags = [.. clientTags, new(TagNames.Topic, topic)];
            SpanName = "send " + topic;
            SpanTags = [new(TagNames.System, "kafka"), new(TagNames.OperationType, "send"), new(TagNames.OperationName, "send"), .. Tags];
        }

        public string Topic { get; }

        public KeyValuePair<string, object?>[] Tags { get; }

        public string SpanName { get; }

        public KeyValuePair<string, object?>[] SpanTags { get; }
    }
}
