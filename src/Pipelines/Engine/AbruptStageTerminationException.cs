namespace Pipelines.Engine;

/// <summary>Fails a stream's sinks when its stages were stopped from outside (the materializer was disposed) before the stream finished.</summary>
public sealed class AbruptStageTerminationException : Exception
{
    /// <summary>Creates the exception with a message naming the stopped stage.</summary>
    public AbruptStageTerminationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public AbruptStageTerminationException()
        : base("The stream was stopped before it completed because its materializer was disposed.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public AbruptStageTerminationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
