namespace Pipelines.Engine;

/// <summary>Fails a stream whose buffer with <see cref="OverflowStrategy.Fail"/> overflowed.</summary>
public sealed class BufferOverflowException : Exception
{
    /// <summary>Creates the exception with a message naming the buffer.</summary>
    public BufferOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public BufferOverflowException()
        : base("A buffer overflowed.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public BufferOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
