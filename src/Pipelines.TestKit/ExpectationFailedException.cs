namespace Pipelines.TestKit;

/// <summary>Thrown by TestKit expectations (probes, assertions) when what was expected did not happen in time.</summary>
public sealed class ExpectationFailedException : Exception
{
    /// <summary>Creates the exception with a message saying what was expected and what happened.</summary>
    public ExpectationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public ExpectationFailedException()
        : base("A TestKit expectation failed.")
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public ExpectationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
