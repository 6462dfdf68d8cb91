using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Pipelines.Telemetry;

/// <summary>Starts and ends the process span of one consumed record (see <see cref="KafkaTracing"/>).</summary>
internal static class ProcessSpan
{
    /// <summary>
    /// Starts a consumer span named <paramref name="name"/> whose parent is the trace context in <paramref name="record"/>'s
    /// headers (a root span when it carries none); null when no listener wants it. The span becomes <see cref="Activity.Current"/>.
    /// </summary>
    public static Activity? Start<TKey, TValue>(string name, ConsumeResult<TKey, TValue> record)
    {
        var activity = PipelinesTelemetry.Source.StartActivity(name, ActivityKind.Consumer, KafkaTraceContext.Extract(record.Message?.Headers));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TagNames.System, "kafka");
            activity.SetTag(TagNames.OperationType, "process");
            activity.SetTag(TagNames.OperationName, name);
            activity.SetTag(TagNames.Topic, record.Topic);
            activity.SetTag(TagNames.Partition, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag(TagNames.Offset, record.Offset.Value);
        }

        return activity;
    }

    /// <summary>Marks the span failed with <paramref name="exception"/>; always false, for use in an exception filter.</summary>
    public static bool Fail(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag(TagNames.ErrorType, exception.GetType().FullName);
            activity.AddException(exception);
        }

        return false;
    }
}
