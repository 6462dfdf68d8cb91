using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>Factories of flows.</summary>
public static class Flow
{
    /// <summary>A flow that passes elements through unchanged: the start of a reusable flow (<c>Flow.Create&lt;int&gt;().Select(...)</c>).</summary>
    public static Flow<T, T, NotUsed> Create<T>() => new(Module.Of(IdentityStage<T>.Instance));

    /// <summary>Wraps any flow-shaped graph (a custom <see cref="GraphStage{TShape}"/> or a graph built elsewhere) as a flow.</summary>
    public static Flow<TIn, TOut, TMat> FromGraph<TIn, TOut, TMat>(IGraph<FlowShape<TIn, TOut>, TMat> graph) =>
        graph as Flow<TIn, TOut, TMat> ?? new Flow<TIn, TOut, TMat>(Module.Of(graph));
}
