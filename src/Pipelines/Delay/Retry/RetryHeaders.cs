using System.Text;
using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// The retry route's own headers on retry-topic messages (<see cref="PipelinesHeaders.RetryNotBefore"/>,
/// <see cref="PipelinesHeaders.RetryFollower"/>), and the header sets of the messages it produces.
/// </summary>
internal static class RetryHeaders
{
    private static readonly byte[] True = Encoding.ASCII.GetBytes("true");

    /// <summary>Copies <paramref name="source"/> without the headers of an earlier trip through the delay queue or the retry topic.</summary>
    /// <remarks>
    /// The failure headers stay (the caller replaces them): a stale delay envelope would make a tool think the message is
    /// still delayed, and a stale not-before or follower mark would hold or misread it on its next trip.
    /// </remarks>
    public static Headers CopyWithoutRoute(Headers? source)
    {
        var headers = new Headers();
        if (source is null)
        {
            return headers;
        }

        foreach (var header in source)
        {
            var name = header.Key;
            if (name.StartsWith("pipelines-delay-", StringComparison.Ordinal)
                || name is PipelinesHeaders.RetryNotBefore or PipelinesHeaders.RetryFollower or PipelinesHeaders.RetrySentAgain)
            {
                continue;
            }

            headers.Add(name, header.GetValueBytes());
        }

        return headers;
    }

    /// <summary>Copies only the user's headers of <paramref name="source"/> (those without the <c>pipelines-</c> prefix).</summary>
    public static Headers UserHeaders(Headers? source)
    {
        var headers = new Headers();
        if (source is null)
        {
            return headers;
        }

        foreach (var header in source)
        {
            if (!header.Key.StartsWith(PipelinesHeaders.Prefix, StringComparison.Ordinal))
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        return headers;
    }

    public static void SetNotBefore(Headers headers, DateTimeOffset notBefore) =>
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.RetryNotBefore, notBefore);

    /// <summary>The not-before time of a retry-topic message, or null when it has none.</summary>
    /// <exception cref="KafkaHeaderException">The header is malformed.</exception>
    public static DateTimeOffset? ReadNotBefore(Headers? headers, string topic, int partition, long offset) =>
        HeaderValues.TryFind(headers, PipelinesHeaders.RetryNotBefore, out var value)
            ? DateTimeOffset.FromUnixTimeMilliseconds(HeaderValues.ParseUnixMilliseconds(value, PipelinesHeaders.RetryNotBefore, new RecordPosition(topic, partition, offset)))
            : null;

    public static bool IsFollower(Headers? headers) => HeaderValues.TryFind(headers, PipelinesHeaders.RetryFollower, out _);

    public static bool IsSentAgain(Headers? headers) => HeaderValues.TryFind(headers, PipelinesHeaders.RetrySentAgain, out _);

    public static void MarkSentAgain(Headers headers) => HeaderValues.Set(headers, PipelinesHeaders.RetrySentAgain, True);

    /// <summary>Marks a message that follows an earlier message of its key into the retry topic, with where it came from.</summary>
    public static void WriteFollower(Headers headers, string topic, int partition, long offset, DateTimeOffset timestamp, byte[]? key, string consumerGroup)
    {
        HeaderValues.Set(headers, PipelinesHeaders.RetryFollower, True);
        HeaderValues.SetText(headers, PipelinesHeaders.OriginalTopic, topic);
        HeaderValues.SetNumber(headers, PipelinesHeaders.OriginalPartition, partition);
        HeaderValues.SetNumber(headers, PipelinesHeaders.OriginalOffset, offset);
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.OriginalTimestamp, timestamp);
        if (key is not null)
        {
            HeaderValues.Set(headers, PipelinesHeaders.OriginalKey, key);
        }
        else
        {
            headers.Remove(PipelinesHeaders.OriginalKey);
        }

        HeaderValues.SetText(headers, PipelinesHeaders.ConsumerGroup, consumerGroup);
    }

    /// <summary>
    /// Reads a follower's origin as the "previous failure" <see cref="RetryPolicy.Decide"/> takes: the original
    /// coordinates, no retries made yet, first failing now (a follower that fails is a first failure).
    /// </summary>
    /// <exception cref="KafkaHeaderException">A header is missing or malformed.</exception>
    public static FailureInfo ReadFollowerOrigin(Headers? headers, string topic, int partition, long offset, DateTimeOffset now)
    {
        var at = new RecordPosition(topic, partition, offset);
        return new FailureInfo
        {
            OriginalTopic = HeaderValues.ParseText(HeaderValues.Require(headers, PipelinesHeaders.OriginalTopic, at, "the original topic"), PipelinesHeaders.OriginalTopic, at, allowEmpty: false),
            OriginalPartition = (int)HeaderValues.ParseNonNegative(HeaderValues.Require(headers, PipelinesHeaders.OriginalPartition, at, "the original partition"), PipelinesHeaders.OriginalPartition, at, int.MaxValue),
            OriginalOffset = HeaderValues.ParseNonNegative(HeaderValues.Require(headers, PipelinesHeaders.OriginalOffset, at, "the original offset"), PipelinesHeaders.OriginalOffset, at, long.MaxValue),
            OriginalTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(HeaderValues.ParseUnixMilliseconds(HeaderValues.Require(headers, PipelinesHeaders.OriginalTimestamp, at, "the original timestamp"), PipelinesHeaders.OriginalTimestamp, at)),
            OriginalKey = HeaderValues.TryFind(headers, PipelinesHeaders.OriginalKey, out var key) ? key ?? [] : null,
            ConsumerGroup = HeaderValues.ParseText(HeaderValues.Require(headers, PipelinesHeaders.ConsumerGroup, at, "the consumer group"), PipelinesHeaders.ConsumerGroup, at, allowEmpty: false),
            ExceptionType = string.Empty,
            ExceptionMessage = string.Empty,
            StackTrace = string.Empty,
            Attempt = 0,
            FirstFailure = now,
            LastFailure = now,
        };
    }
}
