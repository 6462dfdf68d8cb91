using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// The delay queue could not do what was asked: a message or fact was not acknowledged, its topics could not be
/// created, or the cancellation topic could not be read. The message says what failed, where, and what to do; the
/// inner exception is the Kafka client's.
/// </summary>
public sealed class DelayQueueException : Exception
{
    /// <summary>Creates the exception with the Kafka <paramref name="error"/> behind it.</summary>
    /// <param name="message">What failed, where, and what to do.</param>
    /// <param name="error">The Kafka error, or null when the failure had no Kafka error code.</param>
    /// <param name="innerException">The client's exception, if any.</param>
    public DelayQueueException(string message, Error? error, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public DelayQueueException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public DelayQueueException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public DelayQueueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The Kafka error behind the failure, or <see langword="null"/> when there was none.</summary>
    public Error? Error { get; }
}
