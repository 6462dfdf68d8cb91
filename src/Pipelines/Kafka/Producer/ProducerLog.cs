using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>The producer stages' log messages (source-generated, no allocation when the level is off).</summary>
internal static partial class ProducerLog
{
    [LoggerMessage(101, LogLevel.Warning, "Kafka producer {Client}: error {Code}: {Reason} (librdkafka retries; deliveries fail if it lasts longer than message.timeout.ms)")]
    public static partial void ClientError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(102, LogLevel.Error, "Kafka producer {Client}: fatal error {Code}: {Reason}")]
    public static partial void FatalError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(103, LogLevel.Warning, "{Stage}: a record was not produced and its envelope is dropped because the supervision decider resumed: {Message}")]
    public static partial void EnvelopeDropped(ILogger logger, string stage, string message);

    [LoggerMessage(104, LogLevel.Warning, "Kafka producer {Client}: closing took longer than the close timeout {Timeout}; {Outstanding} records were still unacknowledged")]
    public static partial void SlowClose(ILogger logger, string client, TimeSpan timeout, int outstanding);

    [LoggerMessage(105, LogLevel.Error, "Kafka producer {Client}: closing the client failed")]
    public static partial void CloseFailed(ILogger logger, string client, Exception exception);

    [LoggerMessage(106, LogLevel.Information, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientInfo(ILogger logger, string client, string facility, string message);

    [LoggerMessage(107, LogLevel.Warning, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientWarning(ILogger logger, string client, string facility, string message);

    [LoggerMessage(108, LogLevel.Debug, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientDebug(ILogger logger, string client, string facility, string message);

    [LoggerMessage(109, LogLevel.Debug, "{Stage}: the client's queue is full; retrying in {Delay}")]
    public static partial void QueueFull(ILogger logger, string stage, TimeSpan delay);

    [LoggerMessage(110, LogLevel.Debug, "{Stage}: upstream completed; waiting up to {FlushTimeout} (flush-timeout) for the outstanding deliveries")]
    public static partial void AwaitingDeliveries(ILogger logger, string stage, TimeSpan flushTimeout);
}
