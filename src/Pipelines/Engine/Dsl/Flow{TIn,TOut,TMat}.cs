using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// A reusable blueprint of a processing step with one input and one output. Immutable; every materialization creates
/// independent stages.
/// </summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
/// <typeparam name="TMat">The value produced each time the flow is materialized.</typeparam>
public sealed partial class Flow<TIn, TOut, TMat> : IGraph<FlowShape<TIn, TOut>, TMat>, IModuleGraph
{
    internal Flow(Module module)
    {
        Module = module;
        Shape = (FlowShape<TIn, TOut>)module.Shape;
    }

    /// <inheritdoc />
    public FlowShape<TIn, TOut> Shape { get; }

    internal Module Module { get; }

    Module IModuleGraph.Module => Module;

    /// <summary>Appends <paramref name="flow"/>, keeping this flow's materialized value.</summary>
    public Flow<TIn, TNext, TMat> Via<TNext, TMat2>(IGraph<FlowShape<TOut, TNext>, TMat2> flow) => ViaMaterialized(flow, Keep.Left);

    /// <summary>Appends <paramref name="flow"/>, combining both materialized values with <paramref name="combine"/>.</summary>
    public Flow<TIn, TNext, TMat3> ViaMaterialized<TNext, TMat2, TMat3>(IGraph<FlowShape<TOut, TNext>, TMat2> flow, Func<TMat, TMat2, TMat3> combine)
    {
        ArgumentNullException.ThrowIfNull(combine);
        var flowModule = Module.Of(flow);
        if (Linear.IsBareIdentity(Module))
        {
            // Flow.Create<T>().Via(f) is f itself: no identity stage at run time.
            var shape = new FlowShape<TIn, TNext>(new Inlet<TIn>(flow.Shape.Inlet.Name), new Outlet<TNext>(flow.Shape.Outlet.Name));
            return new Flow<TIn, TNext, TMat3>(Linear.MapMat(flowModule, shape, m => combine((TMat)(object)NotUsed.Instance, (TMat2)m!)));
        }

        if (Linear.IsBareIdentity(flowModule))
        {
            return new Flow<TIn, TNext, TMat3>(Linear.MapMat(Module, Module.Shape, m => combine((TMat)m!, (TMat2)(object)NotUsed.Instance)));
        }

        var composedShape = new FlowShape<TIn, TNext>(new Inlet<TIn>(Shape.Inlet.Name), new Outlet<TNext>(flow.Shape.Outlet.Name));
        return new Flow<TIn, TNext, TMat3>(CompositeModule.Linear(Module, flowModule, composedShape, Linear.Combine(combine)));
    }

    /// <summary>Connects this flow to <paramref name="sink"/>, giving a sink that keeps this flow's materialized value.</summary>
    public Sink<TIn, TMat> To<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => ToMaterialized(sink, Keep.Left);

    /// <summary>Connects this flow to <paramref name="sink"/>, combining both materialized values with <paramref name="combine"/>.</summary>
    public Sink<TIn, TMat3> ToMaterialized<TMat2, TMat3>(IGraph<SinkShape<TOut>, TMat2> sink, Func<TMat, TMat2, TMat3> combine)
    {
        ArgumentNullException.ThrowIfNull(combine);
        var sinkModule = Module.Of(sink);
        var shape = new SinkShape<TIn>(new Inlet<TIn>(Shape.Inlet.Name));
        if (Linear.IsBareIdentity(Module))
        {
            return new Sink<TIn, TMat3>(Linear.MapMat(sinkModule, shape, m => combine((TMat)(object)NotUsed.Instance, (TMat2)m!)));
        }

        return new Sink<TIn, TMat3>(CompositeModule.Linear(Module, sinkModule, shape, Linear.Combine(combine)));
    }

    /// <summary>Transforms the materialized value.</summary>
    public Flow<TIn, TOut, TMat2> MapMaterializedValue<TMat2>(Func<TMat, TMat2> mapper)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        return new Flow<TIn, TOut, TMat2>(Linear.MapMat(Module, Shape, m => mapper((TMat)m!)));
    }

    /// <summary>Replaces the attributes of this flow (less specific than those of the graphs it is made of).</summary>
    public Flow<TIn, TOut, TMat> WithAttributes(Attributes attributes) => new(Module.WithAttributes(attributes));

    /// <summary>Adds attributes to this flow.</summary>
    public Flow<TIn, TOut, TMat> AddAttributes(Attributes attributes) => new(Module.WithAttributes(Module.Attributes.And(attributes)));

    /// <summary>Names this flow (shown in logs and errors).</summary>
    public Flow<TIn, TOut, TMat> Named(string name) => AddAttributes(Attributes.Name(name));

    /// <summary>Runs this flow (everything built so far) in an island of its own, behind async boundaries.</summary>
    public Flow<TIn, TOut, TMat> Async() => AddAttributes(Attributes.AsyncBoundary);
}
