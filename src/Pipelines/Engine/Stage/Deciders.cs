namespace Pipelines.Engine.Stage;

/// <summary>Ready-made supervision deciders for <see cref="Attributes.Supervision"/>.</summary>
public static class Deciders
{
    /// <summary>Stops the stage on every failure (the default when no decider is set).</summary>
    public static Func<Exception, Directive> StoppingDecider { get; } = static _ => Directive.Stop;

    /// <summary>Drops the failing element and continues on every failure.</summary>
    public static Func<Exception, Directive> ResumingDecider { get; } = static _ => Directive.Resume;

    /// <summary>Drops the failing element and resets the stage's state on every failure.</summary>
    public static Func<Exception, Directive> RestartingDecider { get; } = static _ => Directive.Restart;
}
