namespace Pipelines.Delay;

/// <summary>
/// What retry and dead-letter messages carry about a failed message: where it was first consumed, which consumer group
/// failed, the last error, and the retry history. Written by <see cref="FailureHeaders.Write"/>, read by
/// <see cref="FailureHeaders.TryRead"/>.
/// </summary>
public sealed record FailureInfo
{
    /// <summary>The topic the message was first consumed from (not a retry topic).</summary>
    public required string OriginalTopic { get; init; }

    /// <summary>The partition the message was first consumed from.</summary>
    public required int OriginalPartition { get; init; }

    /// <summary>The message's offset in its original partition.</summary>
    public required long OriginalOffset { get; init; }

    /// <summary>The original record's timestamp.</summary>
    public required DateTimeOffset OriginalTimestamp { get; init; }

    /// <summary>The original record's key, or <see langword="null"/> for a null key.</summary>
    public byte[]? OriginalKey { get; init; }

    /// <summary>The consumer group whose processing failed.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>The full type name of the last exception.</summary>
    public required string ExceptionType { get; init; }

    /// <summary>The last exception's message (cut to the configured length).</summary>
    public required string ExceptionMessage { get; init; }

    /// <summary>The last exception with its inner exceptions and stack traces (cut to the configured length).</summary>
    public required string StackTrace { get; init; }

    /// <summary>
    /// On a retry message, which non-blocking retry it is (1 for the first); on a dead letter, how many non-blocking
    /// retries were made (0 when the first delivery went straight to the dead-letter topic).
    /// </summary>
    public required int Attempt { get; init; }

    /// <summary>When processing of the message first failed.</summary>
    public required DateTimeOffset FirstFailure { get; init; }

    /// <summary>When processing of the message failed last.</summary>
    public required DateTimeOffset LastFailure { get; init; }

    /// <summary>Why the message was dead-lettered; <see langword="null"/> on a retry message.</summary>
    public DeadLetterReason? DeadLetterReason { get; init; }
}
