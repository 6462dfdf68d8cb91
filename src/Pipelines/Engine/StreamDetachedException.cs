namespace Pipelines.Engine;

/// <summary>Thrown when an operation targets a stage that has already stopped (for example an async callback or an offer to a closed queue).</summary>
public sealed class StreamDetachedException : Exception
{
    /// <summary>Creates the exception with a message saying which stage stopped.</summary>
    public StreamDetachedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public StreamDetachedException()
        : base("The stream stage has already stopped.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public StreamDetachedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
