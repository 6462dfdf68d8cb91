namespace Pipelines.Engine.Stage;

/// <summary>A logic that handles its single inlet itself (the common shape of a sink). Upstream completion completes the stage, failure fails it.</summary>
public abstract class InGraphStageLogic : GraphStageLogic, IInHandler
{
    /// <summary>Creates the logic; register it with <c>SetHandler(inlet, this)</c>.</summary>
    protected InGraphStageLogic(Shape shape)
        : base(shape)
    {
    }

    /// <inheritdoc />
    public abstract void OnPush();

    /// <inheritdoc />
    public virtual void OnUpstreamFinish() => CompleteStage();

    /// <inheritdoc />
    public virtual void OnUpstreamFailure(Exception cause) => FailStage(cause);
}
