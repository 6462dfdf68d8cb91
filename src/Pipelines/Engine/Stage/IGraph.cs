namespace Pipelines.Engine.Stage;

/// <summary>
/// A reusable blueprint with a shape and a materialized value: a stage, a source, a flow, a sink or a runnable
/// graph. Build graphs with the DSL or derive from <see cref="GraphStage{TShape}"/>.
/// </summary>
/// <typeparam name="TShape">The ports the graph exposes.</typeparam>
/// <typeparam name="TMat">The value produced each time the graph is materialized.</typeparam>
public interface IGraph<out TShape, out TMat>
    where TShape : Shape
{
    /// <summary>The ports the graph exposes.</summary>
    TShape Shape { get; }
}
