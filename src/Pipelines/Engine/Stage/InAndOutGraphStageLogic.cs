namespace Pipelines.Engine.Stage;

/// <summary>
/// A logic that handles its single inlet and single outlet itself (the common shape of an operator). Termination
/// defaults: upstream completion completes the stage, upstream failure fails it, downstream cancellation cancels it.
/// </summary>
public abstract class InAndOutGraphStageLogic : GraphStageLogic, IInHandler, IOutHandler
{
    /// <summary>Creates the logic; register it as the handler of both ports with <c>SetHandlers(inlet, outlet, this)</c>.</summary>
    protected InAndOutGraphStageLogic(Shape shape)
        : base(shape)
    {
    }

    /// <inheritdoc />
    public abstract void OnPush();

    /// <inheritdoc />
    public abstract void OnPull();

    /// <inheritdoc />
    public virtual void OnUpstreamFinish() => CompleteStage();

    /// <inheritdoc />
    public virtual void OnUpstreamFailure(Exception cause) => FailStage(cause);

    /// <inheritdoc />
    public virtual void OnDownstreamFinish(Exception? cause) => CancelStage(cause);
}
