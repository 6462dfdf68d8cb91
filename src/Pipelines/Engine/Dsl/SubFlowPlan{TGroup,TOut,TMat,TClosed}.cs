using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>A split stream (<paramref name="root"/>) plus the flow applied to each of its substreams.</summary>
/// <typeparam name="TGroup">The type of the elements the split emits into each substream.</typeparam>
/// <typeparam name="TOut">The type of the substreams' elements after <paramref name="perSubstream"/>.</typeparam>
/// <typeparam name="TMat">The materialized value of the stream before the split.</typeparam>
/// <typeparam name="TClosed">What closing the sub-flow with a sink returns.</typeparam>
internal sealed class SubFlowPlan<TGroup, TOut, TMat, TClosed>(SubFlowRoot<TGroup, TMat, TClosed> root, Flow<TGroup, TOut, NotUsed> perSubstream)
    : SubFlowPlan<TOut, TMat, TClosed>
{
    public override SubFlowPlan<TNext, TMat, TClosed> Via<TNext, TMat2>(IGraph<FlowShape<TOut, TNext>, TMat2> flow) =>
        new SubFlowPlan<TGroup, TNext, TMat, TClosed>(root, perSubstream.Via(flow));

    public override TClosed To<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => root.To(perSubstream.To(sink));

    public override object Merge(int breadth) => root.Merge(perSubstream, breadth);
}
