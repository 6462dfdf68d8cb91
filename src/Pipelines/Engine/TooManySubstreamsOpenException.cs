namespace Pipelines.Engine;

/// <summary>Fails a GroupBy stage that would open more substreams than its <c>maxSubstreams</c> limit allows.</summary>
public sealed class TooManySubstreamsOpenException : Exception
{
    /// <summary>Creates the exception with a message naming the limit and the key that exceeded it.</summary>
    public TooManySubstreamsOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public TooManySubstreamsOpenException()
        : base("Cannot open a new substream: the maximum number of substreams is reached.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TooManySubstreamsOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
