using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>The Kafka connector's log messages (source-generated, no allocation when the level is off).</summary>
internal static partial class KafkaLog
{
    [LoggerMessage(1, LogLevel.Warning, "Kafka consumer {Client}: retriable error {Code}: {Reason}")]
    public static partial void RetriableError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(2, LogLevel.Error, "Kafka consumer {Client}: fatal error {Code}: {Reason}")]
    public static partial void FatalError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Kafka consumer {Client}: commit failed with a retriable error {Code} ({Reason}); retrying in {Backoff}")]
    public static partial void CommitRetry(ILogger logger, string client, ErrorCode code, string reason, TimeSpan backoff);

    [LoggerMessage(4, LogLevel.Warning, "Kafka consumer {Client}: commit dropped, the partitions are no longer owned by this consumer ({Code}: {Reason}); their records will be read again by the new owner")]
    public static partial void CommitDroppedOwnershipLost(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(5, LogLevel.Error, "Kafka consumer {Client}: commit failed: {Message}")]
    public static partial void CommitFailed(ILogger logger, string client, string message);

    [LoggerMessage(6, LogLevel.Warning, "Kafka consumer {Client}: commit took {Elapsed}, longer than the commit-time warning {Warning}")]
    public static partial void SlowCommit(ILogger logger, string client, TimeSpan elapsed, TimeSpan warning);

    [LoggerMessage(7, LogLevel.Warning, "Kafka consumer {Client}: the commit position of {Partition} has been held at offset {Offset} for {Elapsed}: the record is still being processed, or the graph dropped it without passing its committable to a committer or calling MarkProcessed()")]
    public static partial void CommitPositionStuck(ILogger logger, string client, string partition, long offset, TimeSpan elapsed);

    [LoggerMessage(8, LogLevel.Information, "Kafka consumer {Client}: assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string client, string partitions);

    [LoggerMessage(9, LogLevel.Information, "Kafka consumer {Client}: revoked {Partitions}")]
    public static partial void Revoked(ILogger logger, string client, string partitions);

    [LoggerMessage(10, LogLevel.Warning, "Kafka consumer {Client}: lost {Partitions} (the group moved on without this consumer); nothing could be committed for them")]
    public static partial void Lost(ILogger logger, string client, string partitions);

    [LoggerMessage(11, LogLevel.Warning, "Kafka consumer {Client}: the partition assignment handler took {Elapsed} in {Callback}, longer than {Warning}")]
    public static partial void SlowHandler(ILogger logger, string client, TimeSpan elapsed, string callback, TimeSpan warning);

    [LoggerMessage(12, LogLevel.Warning, "Kafka consumer {Client}: offsets of {Partition} went back from {Last} to {Offset} (offset reset or seek); the partition's ledger starts a new epoch")]
    public static partial void OffsetsWentBack(ILogger logger, string client, string partition, long last, long offset);

    [LoggerMessage(13, LogLevel.Warning, "Kafka consumer {Client}: flushing commits of {Why} partitions failed: {Message}; their records will be read again by the new owner")]
    public static partial void FlushFailed(ILogger logger, string client, string why, string message);

    [LoggerMessage(14, LogLevel.Warning, "Kafka consumer {Client}: closing the client failed: {Message}")]
    public static partial void CloseFailed(ILogger logger, string client, string message);

    [LoggerMessage(15, LogLevel.Debug, "Kafka consumer {Client}: statistics could not be parsed: {Message}")]
    public static partial void StatisticsUnreadable(ILogger logger, string client, string message);

    [LoggerMessage(16, LogLevel.Warning, "Kafka consumer {Client}: the client's handle is not reachable, so the poll loop cannot be woken and polls every {Timeout} instead")]
    public static partial void NoWakeup(ILogger logger, string client, TimeSpan timeout);

    [LoggerMessage(17, LogLevel.Warning, "Kafka consumer {Client}: closing took {Elapsed}, longer than the close timeout {Timeout}")]
    public static partial void SlowClose(ILogger logger, string client, TimeSpan elapsed, TimeSpan timeout);

    [LoggerMessage(18, LogLevel.Error, "Kafka consumer {Client}: the partition assignment handler threw in {Callback}")]
    public static partial void HandlerFailed(ILogger logger, string client, string callback, Exception exception);

    [LoggerMessage(19, LogLevel.Information, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientInfo(ILogger logger, string client, string facility, string message);

    [LoggerMessage(20, LogLevel.Warning, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientWarning(ILogger logger, string client, string facility, string message);

    [LoggerMessage(21, LogLevel.Debug, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void ClientDebug(ILogger logger, string client, string facility, string message);

    [LoggerMessage(23, LogLevel.Error, "Kafka consumer {Client}: failed; every source it serves fails with this error")]
    public static partial void ConsumerFailed(ILogger logger, string client, Exception exception);

    [LoggerMessage(24, LogLevel.Information, "Kafka consumer {Client}: the group is rebalancing (a commit was refused); partitions pause until the rebalance round ends")]
    public static partial void RebalanceHold(ILogger logger, string client);
}
