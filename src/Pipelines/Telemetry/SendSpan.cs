using System.Diagnostics;
using Confluent.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// Ends a record's send span when the client reports its delivery, then hands the report to the stage's own handler; made
/// per record only while tracing.
/// </summary>
internal sealed class SendSpan<TKey, TValue>
{
    private readonly Activity _activity;
    private readonly Action<DeliveryReport<TKey, TValue>> _handler;

    public SendSpan(Activity activity, Action<DeliveryReport<TKey, TValue>> handler)
    {
        _activity = activity;
        _handler = handler;
    }

    /// <summary>Ends <paramref name="activity"/> as failed without a delivery report (the client refused the record).</summary>
    public static void Abandon(Activity activity, string errorType, string description)
    {
        activity.SetStatus(ActivityStatusCode.Error, description);
        activity.SetTag(TagNames.ErrorType, errorType);
        activity.Dispose();
    }

    /// <summary>The delivery handler (client's thread).</summary>
    public void OnDelivered(DeliveryReport<TKey, TValue> report)
    {
        try
        {
            if (report.Error.IsError)
            {
                _activity.SetStatus(ActivityStatusCode.Error, report.Error.Reason);
                _activity.SetTag(TagNames.ErrorType, ErrorCodeNames.Of(report.Error.Code));
            }
            else if (_activity.IsAllDataRequested)
            {
                _activity.AddTag(TagNames.Partition, PartitionIds.Of(report.Partition.Value));
                _activity.AddTag(TagNames.Offset, report.Offset.Value);
            }

            // Stopping makes the span's previous activity current on this thread; the client's thread keeps its own.
            var current = Activity.Current;
            _activity.Stop();
            Activity.Current = current;
        }
        finally
        {
            _handler(report);
        }
    }
}
