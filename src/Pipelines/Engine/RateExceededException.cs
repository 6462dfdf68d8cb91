namespace Pipelines.Engine;

/// <summary>Thrown by <c>Throttle</c> in <see cref="ThrottleMode.Enforcing"/> mode when upstream emits faster than the rate allows.</summary>
public sealed class RateExceededException : Exception
{
    /// <summary>Creates the exception with a message naming the rate that was exceeded.</summary>
    public RateExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public RateExceededException()
        : base("The maximum throttle rate was exceeded.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public RateExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
