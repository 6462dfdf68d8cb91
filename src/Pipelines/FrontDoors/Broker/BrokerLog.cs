using Microsoft.Extensions.Logging;

namespace Pipelines.FrontDoors.Broker;

/// <summary>The broker's log messages.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "The handler of {Topic} [{Partition}] @{Offset} in queue {Queue} failed (attempt {Attempt}); retrying in {Backoff} (the message is not skipped)")]
    public static partial void HandlerFailed(ILogger logger, string topic, int partition, long offset, string queue, int attempt, TimeSpan backoff, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "The message at {Topic} [{Partition}] @{Offset} in queue {Queue} could not be decoded and went to {DeadLetterTopic}: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string queue, string deadLetterTopic, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "The subscription to {Topic} in queue {Queue} did not drain within {DrainTimeout}; its running handlers are cancelled and their messages will be consumed again")]
    public static partial void DrainTimedOut(ILogger logger, string topic, string queue, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "The subscription to {Topic} in queue {Queue} failed and stopped; its unfinished messages are not committed and will be consumed again")]
    public static partial void SubscriptionFailed(ILogger logger, string topic, string queue, Exception exception);
}
