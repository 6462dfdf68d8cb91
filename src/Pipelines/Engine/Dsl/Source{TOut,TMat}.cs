using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// A reusable blueprint of a stream with one output: connect it to flows with <see cref="Via{TNext,TMat2}"/> and to a
/// sink with <see cref="To{TMat2}"/> or <see cref="RunWith{TMat2}"/>. Immutable; every run is an independent stream.
/// </summary>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
/// <typeparam name="TMat">The value produced each time the source is materialized.</typeparam>
public sealed partial class Source<TOut, TMat> : IGraph<SourceShape<TOut>, TMat>, IModuleGraph
{
    internal Source(Module module)
    {
        Module = module;
        Shape = (SourceShape<TOut>)module.Shape;
    }

    /// <inheritdoc />
    public SourceShape<TOut> Shape { get; }

    internal Module Module { get; }

    Module IModuleGraph.Module => Module;

    /// <summary>Connects this source to <paramref name="flow"/>, keeping this source's materialized value.</summary>
    public Source<TNext, TMat> Via<TNext, TMat2>(IGraph<FlowShape<TOut, TNext>, TMat2> flow) => ViaMaterialized(flow, Keep.Left);

    /// <summary>Connects this source to <paramref name="flow"/>, combining both materialized values with <paramref name="combine"/>.</summary>
    public Source<TNext, TMat3> ViaMaterialized<TNext, TMat2, TMat3>(IGraph<FlowShape<TOut, TNext>, TMat2> flow, Func<TMat, TMat2, TMat3> combine)
    {
        ArgumentNullException.ThrowIfNull(combine);
        var flowModule = Module.Of(flow);
        if (Linear.IsBareIdentity(flowModule))
        {
            return new Source<TNext, TMat3>(Linear.MapMat(Module, Module.Shape, m => combine((TMat)m!, (TMat2)(object)NotUsed.Instance)));
        }

        var shape = new SourceShape<TNext>(new Outlet<TNext>(flow.Shape.Outlet.Name));
        return new Source<TNext, TMat3>(CompositeModule.Linear(Module, flowModule, shape, Linear.Combine(combine)));
    }

    /// <summary>Connects this source to <paramref name="sink"/>, keeping this source's materialized value.</summary>
    public RunnableGraph<TMat> To<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => ToMaterialized(sink, Keep.Left);

    /// <summary>Connects this source to <paramref name="sink"/>, combining both materialized values with <paramref name="combine"/>.</summary>
    public RunnableGraph<TMat3> ToMaterialized<TMat2, TMat3>(IGraph<SinkShape<TOut>, TMat2> sink, Func<TMat, TMat2, TMat3> combine)
    {
        ArgumentNullException.ThrowIfNull(combine);
        return new RunnableGraph<TMat3>(CompositeModule.Linear(Module, Module.Of(sink), ClosedShape.Instance, Linear.Combine(combine)));
    }

    /// <summary>Connects this source to <paramref name="sink"/>, runs the stream and returns the sink's materialized value.</summary>
    public TMat2 RunWith<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink, Materializer materializer) => ToMaterialized(sink, Keep.Right).Run(materializer);

    /// <summary>Runs the stream, calling <paramref name="action"/> for each element; the task completes with the stream.</summary>
    public Task RunForEach(Action<TOut> action, Materializer materializer) => RunWith(Sink.ForEach(action), materializer);

    /// <summary>Runs the stream, folding its elements; the task completes with the final value.</summary>
    public Task<TAcc> RunAggregate<TAcc>(TAcc zero, Func<TAcc, TOut, TAcc> aggregate, Materializer materializer) =>
        RunWith(Sink.Aggregate(zero, aggregate), materializer);

    /// <summary>Transforms the materialized value.</summary>
    public Source<TOut, TMat2> MapMaterializedValue<TMat2>(Func<TMat, TMat2> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new Source<TOut, TMat2>(Linear.MapMat(Module, Shape, m => mapper((TMat)m!)));
    }

    /// <summary>Replaces the attributes of this source (less specific than those of the graphs it is made of).</summary>
    public Source<TOut, TMat> WithAttributes(Attributes attributes) => new(Module.WithAttributes(attributes));

    /// <summary>Adds attributes to this source.</summary>
    public Source<TOut, TMat> AddAttributes(Attributes attributes) => new(Module.WithAttributes(Module.Attributes.And(attributes)));

    /// <summary>Names this source (shown in logs and errors).</summary>
    public Source<TOut, TMat> Named(string name) => AddAttributes(Attributes.Name(name));

    /// <summary>Runs this source (everything built so far) in an island of its own, behind an async boundary.</summary>
    public Source<TOut, TMat> Async() => AddAttributes(Attributes.AsyncBoundary);
}
