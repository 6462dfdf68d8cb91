using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Delay;

/// <summary>The delay queue's log messages (source-generated, no allocation when the level is off).</summary>
internal static partial class DelayQueueLog
{
    [LoggerMessage(401, LogLevel.Information, "Delay queue: created the missing topics {Topics}")]
    public static partial void TopicsCreated(ILogger logger, string topics);

    [LoggerMessage(402, LogLevel.Warning, "Delay queue cancellation reader {Client}: error {Code}: {Reason} (librdkafka retries)")]
    public static partial void ReaderError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(403, LogLevel.Warning, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientWarning(ILogger logger, string client, string facility, string message);

    [LoggerMessage(404, LogLevel.Debug, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientDebug(ILogger logger, string client, string facility, string message);

    [LoggerMessage(405, LogLevel.Debug, "Delay queue: read the cancellation topic {Topic} as of {AsOf:O}: {Records} new records, {Entries} messages known")]
    public static partial void CaughtUp(ILogger logger, string topic, DateTimeOffset asOf, int records, int entries);

    [LoggerMessage(406, LogLevel.Warning, "Delay queue: the cancellation registry is full ({MaxEntries} messages); a {Kind} fact of {Id} was not kept, so cancels of messages due up to {Through:O} are never answered Unknown")]
    public static partial void RegistryFull(ILogger logger, int maxEntries, DelayFactKind kind, DelayMessageId id, DateTimeOffset? through);

    [LoggerMessage(407, LogLevel.Error, "Delay queue: closing the producer failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(408, LogLevel.Warning, "Delay queue: flushing the producer took longer than {Timeout}; {Outstanding} records were still unacknowledged")]
    public static partial void SlowFlush(ILogger logger, TimeSpan timeout, int outstanding);

    public static void Client(ILogger logger, LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            ClientWarning(logger, message.Name, message.Facility, message.Message);
        }
        else
        {
            ClientDebug(logger, message.Name, message.Facility, message.Message);
        }
    }
}
