namespace Pipelines.Streams;

/// <summary>Thrown by a buffering stage whose overflow strategy is <c>Fail</c> when an element arrives while its buffer is full.</summary>
public sealed class BufferOverflowException : Exception
{
    /// <summary>Creates the exception with a message naming the stage and its buffer size.</summary>
    public BufferOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public BufferOverflowException()
        : base("A stream buffer overflowed.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public BufferOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
