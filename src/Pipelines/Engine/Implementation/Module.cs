using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// A node of an immutable blueprint: an atomic stage (<see cref="StageModule"/>) or a composite of modules wired by
/// position (<see cref="CompositeModule"/>). Wiring by position, never by port identity, is what lets one blueprint
/// appear several times in a graph and be materialized any number of times.
/// </summary>
internal abstract class Module
{
    public abstract Shape Shape { get; }

    public abstract Attributes Attributes { get; }

    /// <summary>Whether this module runs in an island of its own (set by <c>Async()</c>; not inherited by children).</summary>
    public bool IsAsync => Attributes.Items.Any(a => a is Attributes.AsyncBoundaryAttribute);

    public abstract Module WithAttributes(Attributes attributes);

    public static Module Of<TShape, TMat>(IGraph<TShape, TMat> graph)
        where TShape : Shape
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph is IModuleGraph m
            ? m.Module
            : throw new ArgumentException($"{graph.GetType()} is not a Pipelines graph; build graphs with the DSL or derive from GraphStage.", nameof(graph));
    }
}
