namespace Pipelines.Delay;

/// <summary>A record on one of the delay queue's own topics (such as the cancellation topic) is malformed; the message names the record and what was expected.</summary>
public sealed class DelayRecordException : Exception
{
    /// <summary>Creates the exception for the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>.</summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="problem">What is wrong, e.g. <c>its key must be 17 bytes, but is 5</c>.</param>
    public DelayRecordException(string topic, int partition, long offset, string problem)
        : base($"The record at {topic} [{partition}] @{offset} is malformed: {problem}. Only Pipelines writes this topic; a record from another writer (or a newer version of Pipelines) does not fit.")
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the record).</summary>
    public DelayRecordException()
        : this(string.Empty, -1, -1, "unknown")
    {
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the record).</summary>
    public DelayRecordException(string message)
        : base(message)
    {
        Topic = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause (prefer the constructor that names the record).</summary>
    public DelayRecordException(string message, Exception innerException)
        : base(message, innerException)
    {
        Topic = string.Empty;
    }

    /// <summary>The record's topic.</summary>
    public string Topic { get; }

    /// <summary>The record's partition.</summary>
    public int Partition { get; }

    /// <summary>The record's offset.</summary>
    public long Offset { get; }
}
