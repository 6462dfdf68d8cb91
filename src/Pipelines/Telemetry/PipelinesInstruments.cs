using System.Diagnostics.Metrics;

namespace Pipelines.Telemetry;

/// <summary>
/// Every instrument of the <see cref="PipelinesTelemetry.MeterName"/> meter, created once. The connector adds to the counters
/// per batch (a poll turn, a commit, a drain of delivery reports), never per record, after checking
/// <see cref="Instrument.Enabled"/>; the per-partition gauges live in <see cref="ConsumerGauges"/>. The retry route (each
/// in-place retry, non-blocking retry and dead letter), the delay router (held records, lateness per delivery) and hosted
/// pipelines (each restart) record through the <c>Record…</c> hooks below.
/// </summary>
internal static class PipelinesInstruments
{
    // Durations in seconds from a millisecond to a minute: the SDKs' default buckets (0 to 10,000) suit milliseconds, and
    // would put every commit in the first one. Declared before the histograms that use it (static fields initialise in order).
    private static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    /// <summary>Records the consumers took from Kafka and handed to their sources' buffers.</summary>
    public static readonly Counter<long> Consumed = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.consumer.consumed", "{record}", "Records taken from Kafka by a consumer and buffered for its source.");

    /// <summary>Records of committable sources whose offsets were committed (processed, then covered by an acknowledged commit).</summary>
    public static readonly Counter<long> Committed = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.consumer.committed", "{record}", "Records processed and covered by an acknowledged offset commit.");

    /// <summary>Commit requests sent to the group coordinator; failed ones carry <see cref="TagNames.ErrorType"/>.</summary>
    public static readonly Counter<long> Commits = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.consumer.commits", "{commit}", "Offset commit requests; failed ones carry error.type.");

    /// <summary>How long commit requests took (the client's synchronous commit round trip).</summary>
    public static readonly Histogram<double> CommitDuration = PipelinesTelemetry.Meter.CreateHistogram(
        "pipelines.consumer.commit.duration", "s", "Duration of offset commit requests; failed ones carry error.type.", tags: null, SecondsAdvice);

    /// <summary>Records the brokers acknowledged to producer stages.</summary>
    public static readonly Counter<long> Produced = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.producer.produced", "{record}", "Records produced and acknowledged by the brokers.");

    /// <summary>Records a producer stage could not produce (refused by the client or reported failed).</summary>
    public static readonly Counter<long> ProduceFailures = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.producer.failures", "{record}", "Records that could not be produced; error.type is the Kafka error code.");

    /// <summary>Retries of failed processing.</summary>
    public static readonly Counter<long> Retries = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.retries", "{record}", "Retries of failed processing, in place or through the delay tiers.");

    /// <summary>Records sent to a dead-letter topic.</summary>
    public static readonly Counter<long> DeadLetters = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.dead_letters", "{record}", "Records sent to a dead-letter topic; error.type is the failure's exception type.");

    /// <summary>
    /// Messages the delay routers hold in their reorder buffers until eligible, per tier topic (each partition's buffer adds
    /// its changes). Everything waiting in a tier, read or not, is the lag of the routers' consumer group.
    /// </summary>
    public static readonly UpDownCounter<long> DelayPending = PipelinesTelemetry.Meter.CreateUpDownCounter<long>(
        "pipelines.delay.pending", "{record}", "Delayed messages held by delay routers until they are due.");

    /// <summary>How late delayed messages were delivered after their due time.</summary>
    public static readonly Histogram<double> DelayLateness = PipelinesTelemetry.Meter.CreateHistogram(
        "pipelines.delay.lateness", "s", "Time between a delayed message's due time and its delivery.", tags: null, SecondsAdvice);

    /// <summary>Restarts of hosted pipelines.</summary>
    public static readonly Counter<long> Restarts = PipelinesTelemetry.Meter.CreateCounter<long>(
        "pipelines.pipeline.restarts", "{restart}", "Restarts of hosted pipelines after a failure.");

    /// <summary>Counts <paramref name="count"/> retries of records of <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic the failed messages were first consumed from (never a retry topic).</param>
    /// <param name="kind"><c>in-place</c> or <c>non-blocking</c>.</param>
    /// <param name="count">The number of retries.</param>
    public static void RecordRetries(string topic, string kind, long count = 1)
    {
        if (Retries.Enabled)
        {
            Retries.Add(count, new(TagNames.Topic, topic), new(TagNames.RetryKind, kind));
        }
    }

    /// <summary>Counts <paramref name="count"/> records of <paramref name="topic"/> sent to a dead-letter topic.</summary>
    /// <param name="topic">The topic the messages were first consumed from (never a retry topic).</param>
    /// <param name="errorType">The failure's full exception type name.</param>
    /// <param name="count">The number of records.</param>
    public static void RecordDeadLetters(string topic, string errorType, long count = 1)
    {
        if (DeadLetters.Enabled)
        {
            DeadLetters.Add(count, new(TagNames.Topic, topic), new(TagNames.ErrorType, errorType));
        }
    }

    /// <summary>Adds <paramref name="delta"/> (negative when messages leave) to the pending messages of a delay tier topic.</summary>
    /// <param name="tierTopic">The tier's topic.</param>
    /// <param name="delta">Messages that arrived (positive) or left (negative).</param>
    public static void RecordDelayPending(string tierTopic, long delta)
    {
        if (DelayPending.Enabled)
        {
            DelayPending.Add(delta, new KeyValuePair<string, object?>(TagNames.Topic, tierTopic));
        }
    }

    /// <summary>Records how late a delayed message of <paramref name="tierTopic"/> was delivered.</summary>
    /// <param name="tierTopic">The tier's topic.</param>
    /// <param name="lateness">Acknowledgement of the delivery minus due time, on the router's clock (never negative: the router never delivers early).</param>
    public static void RecordDelayLateness(string tierTopic, TimeSpan lateness)
    {
        if (DelayLateness.Enabled)
        {
            DelayLateness.Record(lateness.TotalSeconds, new KeyValuePair<string, object?>(TagNames.Topic, tierTopic));
        }
    }

    /// <summary>Counts a restart of the hosted pipeline <paramref name="pipeline"/>.</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    public static void RecordRestart(string pipeline)
    {
        if (Restarts.Enabled)
        {
            Restarts.Add(1, new KeyValuePair<string, object?>(TagNames.Pipeline, pipeline));
        }
    }
}
