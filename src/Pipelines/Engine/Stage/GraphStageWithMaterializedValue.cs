using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>
/// A custom stage that produces a value each time it is materialized (a sink's task, a queue, a kill switch).
/// The stage object is an immutable blueprint; every materialization creates a fresh <see cref="GraphStageLogic"/>.
/// </summary>
/// <typeparam name="TShape">The stage's ports.</typeparam>
/// <typeparam name="TMat">The materialized value.</typeparam>
public abstract class GraphStageWithMaterializedValue<TShape, TMat> : IGraph<TShape, TMat>, IModuleGraph
    where TShape : Shape
{
    private Module? _module;

    /// <summary>The stage's ports.</summary>
    public abstract TShape Shape { get; }

    /// <summary>The stage's own attributes (typically its name); attributes set on the stage or enclosing graphs add to them.</summary>
    protected virtual Attributes InitialAttributes => Attributes.None;

    Module IModuleGraph.Module => _module ??= new StageModule(
        Shape,
        InitialAttributes,
        attributes => CreateLogicAndMaterializedValue(attributes),
        GetType());

    /// <summary>Creates the running logic and the materialized value for one materialization.</summary>
    /// <param name="inheritedAttributes">The stage's effective attributes.</param>
    public abstract (GraphStageLogic Logic, TMat MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes);
}
