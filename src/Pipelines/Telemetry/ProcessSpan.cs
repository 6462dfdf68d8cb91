using System.Diagnostics;
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
            // A span per record: AddTag (no search for an existing key), the operation's name is the span's, partition texts are cached.
            activity.AddTag(TagNames.System, "kafka");
            activity.AddTag(TagNames.OperationType, "process");
            activity.AddTag(TagNames.Topic, record.Topic);
            activity.AddTag(TagNames.Partition, PartitionIds.Of(record.Partition.Value));
            activity.AddTag(TagNames.Offset, record.Offset.Value);
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
