using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipelines.Delay;

namespace Pipelines.Host.Commands;

/// <summary>
/// Formats dead letters for <c>pipelines dlq</c>, one line each: where the letter is stored, where its message came from,
/// why it failed, then its key, user headers and value as JSON strings (so every letter stays on one line).
/// </summary>
internal static class DeadLetterFormatter
{
    // The relaxed encoder leaves non-ASCII text readable; the output is a terminal or a file, never HTML.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// Text: <c>partition=0 offset=3 original-topic=orders original-partition=1 original-offset=42 group=billing attempt=3
    /// reason=attempts-exhausted exception=System.TimeoutException first-failure=… last-failure=… message="…" key="k" headers={…} value="…"</c>.
    /// JSON: the same fields in camel case, plus <c>topic</c>, <c>originalTimestamp</c> and <c>stackTrace</c>.
    /// </summary>
    public static string Format(DeadLetter letter, RecordFormat format)
    {
        var failure = letter.Failure;
        var line = new StringBuilder(256);
        if (format == RecordFormat.Json)
        {
            line.Append("{\"topic\":").Append(Quote(letter.Topic))
                .Append(CultureInfo.InvariantCulture, $",\"partition\":{letter.Partition},\"offset\":{letter.Offset}")
                .Append(",\"originalTopic\":").Append(Quote(failure.OriginalTopic))
                .Append(CultureInfo.InvariantCulture, $",\"originalPartition\":{failure.OriginalPartition},\"originalOffset\":{failure.OriginalOffset}")
                .Append(",\"originalTimestamp\":").Append(Quote(Time(failure.OriginalTimestamp)))
                .Append(",\"group\":").Append(Quote(failure.ConsumerGroup))
                .Append(CultureInfo.InvariantCulture, $",\"attempt\":{failure.Attempt}")
                .Append(",\"reason\":").Append(Quote(Reason(failure.DeadLetterReason)))
                .Append(",\"exception\":").Append(Quote(failure.ExceptionType))
                .Append(",\"firstFailure\":").Append(Quote(Time(failure.FirstFailure)))
                .Append(",\"lastFailure\":").Append(Quote(Time(failure.LastFailure)))
                .Append(",\"message\":").Append(Quote(failure.ExceptionMessage))
                .Append(",\"stackTrace\":").Append(Quote(failure.StackTrace))
                .Append(",\"key\":").Append(Quote(Text(letter.Key)))
                .Append(",\"headers\":[");
            var first = true;
            foreach (var header in letter.UserHeaders)
            {
                line.Append(first ? string.Empty : ",").Append("{\"key\":").Append(Quote(header.Key))
                    .Append(",\"value\":").Append(Quote(Text(header.GetValueBytes()))).Append('}');
                first = false;
            }

            line.Append("],\"value\":").Append(Quote(Text(letter.Value))).Append('}');
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $"partition={letter.Partition} offset={letter.Offset}")
                .Append(" original-topic=").Append(failure.OriginalTopic)
                .Append(CultureInfo.InvariantCulture, $" original-partition={failure.OriginalPartition} original-offset={failure.OriginalOffset}")
                .Append(" group=").Append(failure.ConsumerGroup)
                .Append(CultureInfo.InvariantCulture, $" attempt={failure.Attempt}")
                .Append(" reason=").Append(Reason(failure.DeadLetterReason))
                .Append(" exception=").Append(failure.ExceptionType)
                .Append(" first-failure=").Append(Time(failure.FirstFailure))
                .Append(" last-failure=").Append(Time(failure.LastFailure))
                .Append(" message=").Append(Quote(failure.ExceptionMessage))
                .Append(" key=").Append(Quote(Text(letter.Key)))
                .Append(" headers={");
            var first = true;
            foreach (var header in letter.UserHeaders)
            {
                line.Append(first ? string.Empty : ",").Append(Quote(header.Key)).Append(':').Append(Quote(Text(header.GetValueBytes())));
                first = false;
            }

            line.Append("} value=").Append(Quote(Text(letter.Value)));
        }

        return line.ToString();
    }

    /// <summary>The reason as its header writes it; a retry message that reached the topic some other way has none.</summary>
    private static string Reason(DeadLetterReason? reason) => reason switch
    {
        DeadLetterReason.NonRetriable => "non-retriable",
        DeadLetterReason.AttemptsExhausted => "attempts-exhausted",
        _ => "none",
    };

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private static string Quote(string? text) => text is null ? "null" : "\"" + JsonEncodedText.Encode(text, Encoder).Value + "\"";
}
