namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// A <see cref="KafkaQueue"/>'s handler failed on a message and the queue has no retry route: the queue's stream fails with
/// this exception, naming the message, and its offset is not committed, so the message is handled again after the restart.
/// </summary>
public sealed class KafkaQueueException : Exception
{
    /// <summary>Creates the exception for the message at <paramref name="topic"/>[<paramref name="partition"/>]@<paramref name="offset"/>.</summary>
    public KafkaQueueException(string queue, string topic, int partition, long offset, Exception innerException)
        : base($"The handler of queue \"{queue}\" failed on {topic}[{partition}]@{offset}: {innerException?.Message} " +
               "The message is not committed and is handled again when the queue restarts; set retry = on to retry and dead-letter it instead.", innerException)
    {
        Queue = queue;
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Creates an exception with no message coordinates.</summary>
    public KafkaQueueException()
        : this(string.Empty, string.Empty, -1, -1, new InvalidOperationException("unknown failure"))
    {
    }

    /// <summary>Creates an exception with a message of its own.</summary>
    public KafkaQueueException(string message)
        : base(message)
    {
        Queue = Topic = string.Empty;
        Partition = -1;
        Offset = -1;
    }

    /// <summary>Creates an exception with a message and a cause of its own.</summary>
    public KafkaQueueException(string message, Exception innerException)
        : base(message, innerException)
    {
        Queue = Topic = string.Empty;
        Partition = -1;
        Offset = -1;
    }

    /// <summary>The queue's name.</summary>
    public string Queue { get; }

    /// <summary>The failed message's topic.</summary>
    public string Topic { get; }

    /// <summary>The failed message's partition.</summary>
    public int Partition { get; }

    /// <summary>The failed message's offset.</summary>
    public long Offset { get; }
}
