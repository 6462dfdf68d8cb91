namespace Pipelines.Delay;

/// <summary>
/// The names of the Kafka headers Pipelines writes, all under the <c>pipelines-</c> prefix, in one place. Values are
/// UTF-8 text so that any tool shows them: times in Unix milliseconds, numbers in decimal, ids in their 26-character
/// form; only <see cref="OriginalKey"/> holds raw bytes. Headers without the prefix are the user's and are never changed.
/// </summary>
public static class PipelinesHeaders
{
    /// <summary>The prefix of every header Pipelines writes.</summary>
    public const string Prefix = "pipelines-";

    /// <summary>Delay envelope: the message's <see cref="DelayMessageId"/>, kept on delivery so that consumers can drop duplicates.</summary>
    public const string DelayId = "pipelines-delay-id";

    /// <summary>Delay envelope: when the message is due, in Unix milliseconds.</summary>
    public const string DelayDue = "pipelines-delay-due";

    /// <summary>Delay envelope: the topic the message is delivered to when due.</summary>
    public const string DelayTargetTopic = "pipelines-delay-target-topic";

    /// <summary>Delay envelope, optional: the partition of the target topic; absent when the target's partitioner chooses.</summary>
    public const string DelayTargetPartition = "pipelines-delay-target-partition";

    /// <summary>Delay envelope: when the message was scheduled, in Unix milliseconds.</summary>
    public const string DelayScheduledAt = "pipelines-delay-scheduled-at";

    /// <summary>
    /// Delay envelope, optional: when the message was written to the tier it is in, in Unix milliseconds, by the writer's
    /// clock. Routers set it on every hop; absent on the first hop, where <see cref="DelayScheduledAt"/> is that time.
    /// </summary>
    public const string DelayWrittenAt = "pipelines-delay-written-at";

    /// <summary>Retry and dead letter: the topic the failed message was first consumed from.</summary>
    public const string OriginalTopic = "pipelines-original-topic";

    /// <summary>Retry and dead letter: the partition the failed message was first consumed from.</summary>
    public const string OriginalPartition = "pipelines-original-partition";

    /// <summary>Retry and dead letter: the offset of the failed message in its original partition.</summary>
    public const string OriginalOffset = "pipelines-original-offset";

    /// <summary>Retry and dead letter: the original record's timestamp, in Unix milliseconds.</summary>
    public const string OriginalTimestamp = "pipelines-original-timestamp";

    /// <summary>Retry and dead letter, optional: the original record's key as raw bytes; absent for a null key.</summary>
    public const string OriginalKey = "pipelines-original-key";

    /// <summary>Retry and dead letter: the consumer group whose processing failed.</summary>
    public const string ConsumerGroup = "pipelines-consumer-group";

    /// <summary>Retry and dead letter: the full type name of the last exception.</summary>
    public const string ExceptionType = "pipelines-exception-type";

    /// <summary>Retry and dead letter: the last exception's message, cut at <c>max-exception-message-length</c>.</summary>
    public const string ExceptionMessage = "pipelines-exception-message";

    /// <summary>Retry and dead letter: the last exception with its inner exceptions and stack traces, cut at <c>max-stack-trace-length</c>.</summary>
    public const string ExceptionStackTrace = "pipelines-exception-stacktrace";

    /// <summary>
    /// Retry and dead letter: on a retry message, which non-blocking retry it is (1 for the first); on a dead letter, how
    /// many non-blocking retries were made (0 when the first delivery went straight to the dead-letter topic).
    /// </summary>
    public const string Attempt = "pipelines-retry-attempt";

    /// <summary>Retry and dead letter: when processing of the message first failed, in Unix milliseconds.</summary>
    public const string FirstFailure = "pipelines-first-failure";

    /// <summary>Retry and dead letter: when processing of the message failed last, in Unix milliseconds.</summary>
    public const string LastFailure = "pipelines-last-failure";

    /// <summary>Dead letter only: why the message was dead-lettered, <c>non-retriable</c> or <c>attempts-exhausted</c>.</summary>
    public const string DeadLetterReason = "pipelines-dead-letter-reason";

    /// <summary>
    /// Retry topic, with <c>preserve-key-order</c> on: the message is not processed before this time, in Unix milliseconds
    /// (it went to the retry topic directly rather than through the delay tiers, so that its key's later messages can follow it).
    /// </summary>
    public const string RetryNotBefore = "pipelines-retry-not-before";

    /// <summary>
    /// Retry topic, with <c>preserve-key-order</c> on: the message did not fail; it follows an earlier message of its key
    /// through the retry topic (value <c>true</c>). It carries the original coordinates and consumer group, not an error.
    /// </summary>
    public const string RetryFollower = "pipelines-retry-follower";

    /// <summary>
    /// Retry topic, with <c>preserve-key-order</c> on: the message failed again after being read from the retry topic and
    /// was sent to its end (value <c>true</c>); its key's messages ahead of it go round behind it. Lets a new owner of the
    /// partition rebuild that order after a restart.
    /// </summary>
    public const string RetrySentAgain = "pipelines-retry-sent-again";
}
