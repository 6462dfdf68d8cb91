namespace Pipelines.Delay;

/// <summary>
/// Some dead letters of a replay were not acknowledged by their original topic. Those counted in <see cref="Replayed"/>
/// were; replaying the same selection again sends those a second time (filter by <see cref="DeadLetterFilter.Where"/> or
/// time to avoid it).
/// </summary>
public sealed class DeadLetterReplayException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="replayed">How many dead letters were replayed and acknowledged.</param>
    /// <param name="failed">How many were not.</param>
    /// <param name="innerException">The first failure.</param>
    public DeadLetterReplayException(string message, long replayed, long failed, Exception? innerException)
        : base(message, innerException)
    {
        Replayed = replayed;
        Failed = failed;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public DeadLetterReplayException()
        : this("Replaying dead letters failed.", 0, 0, null)
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public DeadLetterReplayException(string message)
        : this(message, 0, 0, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public DeadLetterReplayException(string message, Exception innerException)
        : this(message, 0, 0, innerException)
    {
    }

    /// <summary>Dead letters sent back and acknowledged before the failure was known.</summary>
    public long Replayed { get; }

    /// <summary>Dead letters that were not acknowledged.</summary>
    public long Failed { get; }
}
