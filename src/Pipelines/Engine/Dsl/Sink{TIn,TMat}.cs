using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>A reusable blueprint of a stream's end: consumes elements and materializes a value (usually a task that completes with the stream).</summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
/// <typeparam name="TMat">The value produced each time the sink is materialized.</typeparam>
public sealed class Sink<TIn, TMat> : IGraph<SinkShape<TIn>, TMat>, IModuleGraph
{
    internal Sink(Module module)
    {
        Module = module;
        Shape = (SinkShape<TIn>)module.Shape;
    }

    /// <inheritdoc />
    public SinkShape<TIn> Shape { get; }

    internal Module Module { get; }

    Module IModuleGraph.Module => Module;

    /// <summary>Connects <paramref name="source"/> to this sink, runs the stream and returns this sink's materialized value.</summary>
    public TMat RunWith<TMat2>(IGraph<SourceShape<TIn>, TMat2> source, Materializer materializer) =>
        Source.FromGraph(source).RunWith(this, materializer);

    /// <summary>Transforms the materialized value.</summary>
    public Sink<TIn, TMat2> MapMaterializedValue<TMat2>(Func<TMat, TMat2> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new Sink<TIn, TMat2>(Linear.MapMat(Module, Shape, m => mapper((TMat)m!)));
    }

    /// <summary>Replaces the attributes of this sink (less specific than those of the graphs it is made of).</summary>
    public Sink<TIn, TMat> WithAttributes(Attributes attributes) => new(Module.WithAttributes(attributes));

    /// <summary>Adds attributes to this sink.</summary>
    public Sink<TIn, TMat> AddAttributes(Attributes attributes) => new(Module.WithAttributes(Module.Attributes.And(attributes)));

    /// <summary>Names this sink (shown in logs and errors).</summary>
    public Sink<TIn, TMat> Named(string name) => AddAttributes(Attributes.Name(name));

    /// <summary>Runs this sink in an island of its own, behind an async boundary.</summary>
    public Sink<TIn, TMat> Async() => AddAttributes(Attributes.AsyncBoundary);
}
