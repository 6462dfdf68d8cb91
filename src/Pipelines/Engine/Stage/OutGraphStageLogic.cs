namespace Pipelines.Engine.Stage;

/// <summary>A logic that handles its single outlet itself (the common shape of a source). Downstream cancellation stops the stage.</summary>
public abstract class OutGraphStageLogic : GraphStageLogic, IOutHandler
{
    /// <summary>Creates the logic; register it with <c>SetHandler(outlet, this)</c>.</summary>
    protected OutGraphStageLogic(Shape shape)
        : base(shape)
    {
    }

    /// <inheritdoc />
    public abstract void OnPull();

    /// <inheritdoc />
    public virtual void OnDownstreamFinish(Exception? cause) => CancelStage(cause);
}
