namespace Pipelines.Engine.Stage;

/// <summary>What a stage does when user code it runs throws: the result of a supervision decider.</summary>
public enum Directive
{
    /// <summary>Fail the stage: the failure travels downstream and upstream is cancelled (the default).</summary>
    Stop,

    /// <summary>Drop the element that caused the failure and continue with the stage's state intact.</summary>
    Resume,

    /// <summary>Drop the element that caused the failure, reset the stage's state and continue.</summary>
    Restart,
}
