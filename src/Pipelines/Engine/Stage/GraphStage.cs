namespace Pipelines.Engine.Stage;

/// <summary>
/// A custom stage without a materialized value: the way to write an operator. Declare the ports in the shape and
/// return a new <see cref="GraphStageLogic"/> from <see cref="CreateLogic"/>.
/// </summary>
/// <typeparam name="TShape">The stage's ports.</typeparam>
public abstract class GraphStage<TShape> : GraphStageWithMaterializedValue<TShape, NotUsed>
    where TShape : Shape
{
    /// <inheritdoc />
    public sealed override (GraphStageLogic Logic, NotUsed MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes) =>
        (CreateLogic(inheritedAttributes), NotUsed.Instance);

    /// <summary>Creates the running logic for one materialization.</summary>
    /// <param name="inheritedAttributes">The stage's effective attributes.</param>
    protected abstract GraphStageLogic CreateLogic(Attributes inheritedAttributes);
}
