using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>A flow split into substreams: merging gives a flow, closing gives a sink.</summary>
internal sealed class FlowSubFlowRoot<TIn, TGroup, TMat>(Flow<TIn, Source<TGroup, NotUsed>, TMat> split) : SubFlowRoot<TGroup, TMat, Sink<TIn, TMat>>
{
    public static SubFlow<TGroup, TMat, Sink<TIn, TMat>> Create(Flow<TIn, Source<TGroup, NotUsed>, TMat> split) =>
        new(new SubFlowPlan<TGroup, TGroup, TMat, Sink<TIn, TMat>>(new FlowSubFlowRoot<TIn, TGroup, TMat>(split), Flow.Create<TGroup>()));

    public override Sink<TIn, TMat> To(Sink<TGroup, NotUsed> substreamSink) => split.To(new SubstreamRunnerSink<TGroup, NotUsed>(substreamSink));

    public override object Merge<TOut>(Flow<TGroup, TOut, NotUsed> perSubstream, int breadth) =>
        split.Select(substream => substream.Via(perSubstream)).Via(new MergeSubstreamsStage<TOut>(breadth));
}
