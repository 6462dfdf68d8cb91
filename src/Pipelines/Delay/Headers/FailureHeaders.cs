using System.Text;
using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// Writes and reads the <see cref="FailureInfo"/> of retry and dead-letter messages in their Kafka headers (names in
/// <see cref="PipelinesHeaders"/>). User headers are never touched; reading is strict once the message is a retry or
/// dead-letter message (it has <see cref="PipelinesHeaders.OriginalTopic"/>).
/// </summary>
public static class FailureHeaders
{
    private const string NonRetriable = "non-retriable";
    private const string AttemptsExhausted = "attempts-exhausted";

    /// <summary>Sets the failure headers on <paramref name="headers"/>, replacing failure headers already there (those of an earlier retry).</summary>
    /// <exception cref="ArgumentException">A field is out of range (negative partition, offset or attempt).</exception>
    public static void Write(Headers headers, FailureInfo failure)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.OriginalPartition < 0 || failure.OriginalOffset < 0 || failure.Attempt < 0)
        {
            throw new ArgumentException(
                $"The failure of {failure.OriginalTopic} [{failure.OriginalPartition}] @{failure.OriginalOffset} (attempt {failure.Attempt}) has a negative partition, offset or attempt.",
                nameof(failure));
        }

        HeaderValues.SetText(headers, PipelinesHeaders.OriginalTopic, failure.OriginalTopic);
        HeaderValues.SetNumber(headers, PipelinesHeaders.OriginalPartition, failure.OriginalPartition);
        HeaderValues.SetNumber(headers, PipelinesHeaders.OriginalOffset, failure.OriginalOffset);
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.OriginalTimestamp, failure.OriginalTimestamp);
        if (failure.OriginalKey is { } key)
        {
            HeaderValues.Set(headers, PipelinesHeaders.OriginalKey, key);
        }
        else
        {
            headers.Remove(PipelinesHeaders.OriginalKey);
        }

        HeaderValues.SetText(headers, PipelinesHeaders.ConsumerGroup, failure.ConsumerGroup);
        HeaderValues.SetText(headers, PipelinesHeaders.ExceptionType, failure.ExceptionType);
        HeaderValues.SetText(headers, PipelinesHeaders.ExceptionMessage, failure.ExceptionMessage);
        HeaderValues.SetText(headers, PipelinesHeaders.ExceptionStackTrace, failure.StackTrace);
        HeaderValues.SetNumber(headers, PipelinesHeaders.Attempt, failure.Attempt);
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.FirstFailure, failure.FirstFailure);
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.LastFailure, failure.LastFailure);
        if (failure.DeadLetterReason is { } reason)
        {
            HeaderValues.SetText(headers, PipelinesHeaders.DeadLetterReason, reason switch
            {
                DeadLetterReason.NonRetriable => NonRetriable,
                DeadLetterReason.AttemptsExhausted => AttemptsExhausted,
                _ => throw new ArgumentException($"Unknown dead-letter reason {reason}.", nameof(failure)),
            });
        }
        else
        {
            headers.Remove(PipelinesHeaders.DeadLetterReason);
        }
    }

    /// <summary>
    /// Reads the failure headers of the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>;
    /// returns false when the record carries none (it is not a retry or dead-letter message).
    /// </summary>
    /// <exception cref="KafkaHeaderException">The record is a retry or dead-letter message but a header is missing or malformed.</exception>
    public static bool TryRead(Headers? headers, string topic, int partition, long offset, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FailureInfo? failure)
    {
        failure = null;
        if (!HeaderValues.TryFind(headers, PipelinesHeaders.OriginalTopic, out var originalTopic))
        {
            return false;
        }

        var at = new RecordPosition(topic, partition, offset);
        var reason = default(DeadLetterReason?);
        if (HeaderValues.TryFind(headers, PipelinesHeaders.DeadLetterReason, out var reasonBytes))
        {
            reason = HeaderValues.ParseText(reasonBytes, PipelinesHeaders.DeadLetterReason, at, allowEmpty: false) switch
            {
                NonRetriable => DeadLetterReason.NonRetriable,
                AttemptsExhausted => DeadLetterReason.AttemptsExhausted,
                _ => throw KafkaHeaderException.Malformed(PipelinesHeaders.DeadLetterReason, topic, partition, offset, $"{NonRetriable} or {AttemptsExhausted}", reasonBytes),
            };
        }

        failure = new FailureInfo
        {
            OriginalTopic = HeaderValues.ParseText(originalTopic, PipelinesHeaders.OriginalTopic, at, allowEmpty: false),
            OriginalPartition = (int)Number(headers, PipelinesHeaders.OriginalPartition, at, "the original partition", int.MaxValue),
            OriginalOffset = Number(headers, PipelinesHeaders.OriginalOffset, at, "the original offset", long.MaxValue),
            OriginalTimestamp = Time(headers, PipelinesHeaders.OriginalTimestamp, at, "the original record's timestamp"),
            OriginalKey = HeaderValues.TryFind(headers, PipelinesHeaders.OriginalKey, out var key) ? key ?? [] : null,
            ConsumerGroup = Text(headers, PipelinesHeaders.ConsumerGroup, at, "the consumer group", allowEmpty: false),
            ExceptionType = Text(headers, PipelinesHeaders.ExceptionType, at, "the exception's type", allowEmpty: false),
            ExceptionMessage = Text(headers, PipelinesHeaders.ExceptionMessage, at, "the exception's message", allowEmpty: true),
            StackTrace = Text(headers, PipelinesHeaders.ExceptionStackTrace, at, "the exception's stack trace", allowEmpty: true),
            Attempt = (int)Number(headers, PipelinesHeaders.Attempt, at, "the retry attempt", int.MaxValue),
            FirstFailure = Time(headers, PipelinesHeaders.FirstFailure, at, "when processing first failed"),
            LastFailure = Time(headers, PipelinesHeaders.LastFailure, at, "when processing failed last"),
            DeadLetterReason = reason,
        };
        return true;
    }

    /// <summary>
    /// Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> characters, ending a cut text with a note of its
    /// full length, and never splitting a surrogate pair.
    /// </summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var note = $"… (cut, {text.Length} characters in all)";
        var keep = Math.Max(0, maxLength - note.Length);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        var cut = new StringBuilder(maxLength).Append(text, 0, keep).Append(note).ToString();
        return cut.Length <= maxLength ? cut : cut[..maxLength];
    }

    private static long Number(Headers? headers, string name, in RecordPosition at, string meaning, long max) =>
        HeaderValues.ParseNonNegative(HeaderValues.Require(headers, name, at, meaning), name, at, max);

    private static DateTimeOffset Time(Headers? headers, string name, in RecordPosition at, string meaning) =>
        DateTimeOffset.FromUnixTimeMilliseconds(HeaderValues.ParseUnixMilliseconds(HeaderValues.Require(headers, name, at, meaning), name, at));

    private static string Text(Headers? headers, string name, in RecordPosition at, string meaning, bool allowEmpty) =>
        HeaderValues.ParseText(HeaderValues.Require(headers, name, at, meaning), name, at, allowEmpty);
}
