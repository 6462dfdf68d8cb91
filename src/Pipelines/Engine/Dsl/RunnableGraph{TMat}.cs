using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>A closed, reusable blueprint: every <see cref="Run"/> starts an independent stream and returns its materialized value.</summary>
/// <typeparam name="TMat">The materialized value.</typeparam>
public sealed class RunnableGraph<TMat> : IGraph<ClosedShape, TMat>, IModuleGraph
{
    internal RunnableGraph(Module module) => Module = module;

    /// <inheritdoc />
    public ClosedShape Shape => ClosedShape.Instance;

    internal Module Module { get; }

    Module IModuleGraph.Module => Module;

    /// <summary>Wraps a closed graph built elsewhere (e.g. by a graph builder).</summary>
    public static RunnableGraph<TMat> FromGraph(IGraph<ClosedShape, TMat> graph) =>
        graph as RunnableGraph<TMat> ?? new RunnableGraph<TMat>(Module.Of(graph));

    /// <summary>Starts a stream from this blueprint.</summary>
    public TMat Run(Materializer materializer)
    {
        ArgumentNullException.ThrowIfNull(materializer);
        return materializer.Materialize(this);
    }

    /// <summary>Transforms the materialized value.</summary>
    public RunnableGraph<TMat2> MapMaterializedValue<TMat2>(Func<TMat, TMat2> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new(new CompositeModule(
            Shape, [Module], [], [], [], MatNode.Transform(MatNode.Child(0), m => mapper((TMat)m!)), Attributes.None));
    }

    /// <summary>Replaces the attributes of the whole graph (less specific than those of inner graphs).</summary>
    public RunnableGraph<TMat> WithAttributes(Attributes attributes) => new(Module.WithAttributes(attributes));

    /// <summary>Adds attributes to the whole graph.</summary>
    public RunnableGraph<TMat> AddAttributes(Attributes attributes) => new(Module.WithAttributes(Module.Attributes.And(attributes)));

    /// <summary>Names the graph.</summary>
    public RunnableGraph<TMat> Named(string name) => AddAttributes(Attributes.Name(name));
}
