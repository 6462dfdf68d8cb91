using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Confluent.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// Formats consumed records, one line each. Keys, values and headers are printed as JSON strings (UTF-8 text, escapes for
/// control characters, <c>null</c> for a missing key or value), so every record stays on one line in either format.
/// </summary>
internal static class RecordFormatter
{
    // The relaxed encoder leaves non-ASCII text readable; the output is a terminal or a file, never HTML.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// Text: <c>partition=0 offset=5 timestamp=2026-01-31T10:00:00.000Z key="k" headers={"h":"v"} value="text"</c>.
    /// JSON: <c>{"topic":"t","partition":0,"offset":5,"timestamp":"…","key":"k","headers":[{"key":"h","value":"v"}],"value":"text"}</c>.
    /// </summary>
    public static string Format(ConsumeResult<string?, string?> record, RecordFormat format)
    {
        var line = new StringBuilder(128);
        var timestamp = Timestamp(record.Message.Timestamp);
        if (format == RecordFormat.Json)
        {
            line.Append("{\"topic\":").Append(Quote(record.Topic))
                .Append(CultureInfo.InvariantCulture, $",\"partition\":{record.Partition.Value},\"offset\":{record.Offset.Value},\"timestamp\":")
                .Append(Quote(timestamp))
                .Append(",\"key\":").Append(Quote(record.Message.Key))
                .Append(",\"headers\":[");
            var first = true;
            foreach (var header in record.Message.Headers ?? [])
            {
                line.Append(first ? string.Empty : ",").Append("{\"key\":").Append(Quote(header.Key)).Append(",\"value\":").Append(Quote(HeaderValue(header))).Append('}');
                first = false;
            }

            line.Append("],\"value\":").Append(Quote(record.Message.Value)).Append('}');
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $"partition={record.Partition.Value} offset={record.Offset.Value} timestamp={timestamp ?? "none"}")
                .Append(" key=").Append(Quote(record.Message.Key))
                .Append(" headers={");
            var first = true;
            foreach (var header in record.Message.Headers ?? [])
            {
                line.Append(first ? string.Empty : ",").Append(Quote(header.Key)).Append(':').Append(Quote(HeaderValue(header)));
                first = false;
            }

            line.Append("} value=").Append(Quote(record.Message.Value));
        }

        return line.ToString();
    }

    private static string? HeaderValue(IHeader header)
    {
        var bytes = header.GetValueBytes();
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }

    private static string? Timestamp(Timestamp timestamp) =>
        timestamp.Type == TimestampType.NotAvailable
            ? null
            : DateTimeOffset.FromUnixTimeMilliseconds(timestamp.UnixTimestampMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Quote(string? text) => text is null ? "null" : "\"" + JsonEncodedText.Encode(text, Encoder).Value + "\"";
}
