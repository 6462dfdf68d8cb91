namespace Pipelines.Engine;

/// <summary>What <c>Throttle</c> does with an element that arrives faster than the rate allows.</summary>
public enum ThrottleMode
{
    /// <summary>Hold the element until the rate allows it, back-pressuring upstream meanwhile.</summary>
    Shaping,

    /// <summary>Fail the stream with <see cref="RateExceededException"/>.</summary>
    Enforcing,
}
