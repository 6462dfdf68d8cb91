namespace Pipelines.Engine.Stage;

/// <summary>Receives the signals of one inlet; every call runs inside the stage's island, one at a time.</summary>
public interface IInHandler
{
    /// <summary>An element has arrived at the inlet; take it with <c>Grab</c>.</summary>
    void OnPush();

    /// <summary>Upstream completed: no more elements will arrive. The usual reaction is to complete the stage.</summary>
    void OnUpstreamFinish();

    /// <summary>Upstream failed: no more elements will arrive. The usual reaction is to fail the stage.</summary>
    /// <param name="cause">Why upstream failed.</param>
    void OnUpstreamFailure(Exception cause);
}
