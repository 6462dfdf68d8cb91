using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// W3C trace context in Kafka headers (<c>traceparent</c>, <c>tracestate</c>), written and read through
/// <see cref="DistributedContextPropagator.Current"/>: the producer stages inject it, and a consumed record's context is
/// extracted from its headers when a processing step or a produce needs it as parent.
/// </summary>
public static class KafkaTraceContext
{
    /// <summary>The header of the W3C trace parent (trace id, span id, flags).</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header of the W3C trace state (vendor data).</summary>
    public const string TraceStateHeader = "tracestate";

    private static readonly DistributedContextPropagator.PropagatorGetterCallback Getter = GetHeader;
    private static readonly DistributedContextPropagator.PropagatorSetterCallback Setter = SetHeader;

    /// <summary>
    /// The trace context <paramref name="headers"/> carry (a remote context), or <see langword="default"/> when they carry
    /// none or an invalid one.
    /// </summary>
    /// <param name="headers">A record's headers; may be null.</param>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, Getter, out var traceParent, out var traceState);
        return traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>The trace context a consumed record carries in its headers, or <see langword="default"/>.</summary>
    /// <param name="record">The consumed record.</param>
    public static ActivityContext GetTraceContext<TKey, TValue>(this ConsumeResult<TKey, TValue> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Extract(record.Message?.Headers);
    }

    /// <summary>
    /// Writes <paramref name="activity"/>'s context into <paramref name="headers"/>, replacing the trace headers already there
    /// (a record copied from a consumed one keeps the old ones otherwise).
    /// </summary>
    /// <param name="activity">The activity whose context to carry.</param>
    /// <param name="headers">The record's headers.</param>
    public static void Inject(Activity activity, Headers headers)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(headers);
        // Only the trace headers are replaced; other headers (baggage included) are the record's own.
        headers.Remove(TraceParentHeader);
        headers.Remove(TraceStateHeader);

        DistributedContextPropagator.Current.Inject(activity, headers, Setter);
    }

    private static void GetHeader(object? carrier, string fieldName, out string? fieldValue, out IEnumerable<string>? fieldValues)
    {
        fieldValues = null;
        fieldValue = carrier is Headers headers && headers.TryGetLastBytes(fieldName, out var bytes) && bytes is not null
            ? Encoding.UTF8.GetString(bytes)
            : null;
    }

    private static void SetHeader(object? carrier, string fieldName, string fieldValue)
    {
        if (carrier is Headers headers)
        {
            headers.Add(fieldName, Encoding.UTF8.GetBytes(fieldValue));
        }
    }
}
