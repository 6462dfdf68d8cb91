namespace Pipelines.Delay;

/// <summary>Why a message went to the dead-letter topic (header <see cref="PipelinesHeaders.DeadLetterReason"/>).</summary>
public enum DeadLetterReason
{
    /// <summary>The error is classified as non-retriable (an undeserializable record, a configured validation error).</summary>
    NonRetriable = 1,

    /// <summary>The in-place and non-blocking retries were all used up.</summary>
    AttemptsExhausted = 2,
}
