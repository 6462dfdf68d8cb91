using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>The admin client's log messages (source-generated, no allocation when the level is off).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(201, LogLevel.Warning, "Kafka admin client {Client}: error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(202, LogLevel.Information, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientInfo(ILogger logger, string client, string facility, string message);

    [LoggerMessage(203, LogLevel.Warning, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientWarning(ILogger logger, string client, string facility, string message);

    [LoggerMessage(204, LogLevel.Debug, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientDebug(ILogger logger, string client, string facility, string message);
}
