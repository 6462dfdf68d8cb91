namespace Pipelines.Delay;

/// <summary>
/// The delay router stopped because it could not go on without risking a wrong delivery: the cancellation topic could
/// not be read, or its registry is full of cancellations. The message says what failed and what to do.
/// </summary>
public sealed class DelayRouterException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public DelayRouterException()
    {
    }

    /// <summary>Creates an exception with a message: what failed, where, and what to do.</summary>
    public DelayRouterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the client's exception behind it.</summary>
    public DelayRouterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
