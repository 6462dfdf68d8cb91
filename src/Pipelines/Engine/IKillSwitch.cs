namespace Pipelines.Engine;

/// <summary>Stops the part of a stream it is attached to from outside.</summary>
public interface IKillSwitch
{
    /// <summary>Completes downstream and cancels upstream.</summary>
    void Shutdown();

    /// <summary>Fails downstream with <paramref name="cause"/> and cancels upstream.</summary>
    void Abort(Exception cause);
}
