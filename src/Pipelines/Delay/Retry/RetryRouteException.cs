namespace Pipelines.Delay;

/// <summary>
/// The retry route could not store a failed message on its way (a dead letter, a retry) and so did not pass its offset
/// on: the stream fails with this exception (or its supervision decider drops the element) and the message is consumed
/// again after a restart. The message names the record, the topic and the cause.
/// </summary>
public sealed class RetryRouteException : Exception
{
    /// <summary>Creates the exception for the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="topic">The consumed record's topic.</param>
    /// <param name="partition">The consumed record's partition.</param>
    /// <param name="offset">The consumed record's offset.</param>
    /// <param name="innerException">The producer's or delay queue's error.</param>
    public RetryRouteException(string message, string topic, int partition, long offset, Exception? innerException)
        : base(message, innerException)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the record).</summary>
    public RetryRouteException()
        : this("The retry route failed.", string.Empty, -1, -1, null)
    {
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the record).</summary>
    public RetryRouteException(string message)
        : this(message, string.Empty, -1, -1, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause (prefer the constructor that names the record).</summary>
    public RetryRouteException(string message, Exception innerException)
        : this(message, string.Empty, -1, -1, innerException)
    {
    }

    /// <summary>The consumed record's topic.</summary>
    public string Topic { get; }

    /// <summary>The consumed record's partition.</summary>
    public int Partition { get; }

    /// <summary>The consumed record's offset.</summary>
    public long Offset { get; }
}
