using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>A source split into substreams: merging gives a source, closing gives a runnable graph.</summary>
internal sealed class SourceSubFlowRoot<TGroup, TMat>(Source<Source<TGroup, NotUsed>, TMat> split) : SubFlowRoot<TGroup, TMat, RunnableGraph<TMat>>
{
    public static SubFlow<TGroup, TMat, RunnableGraph<TMat>> Create(Source<Source<TGroup, NotUsed>, TMat> split) =>
        new(new SubFlowPlan<TGroup, TGroup, TMat, RunnableGraph<TMat>>(new SourceSubFlowRoot<TGroup, TMat>(split), Flow.Create<TGroup>()));

    public override RunnableGraph<TMat> To(Sink<TGroup, NotUsed> substreamSink) => split.To(new SubstreamRunnerSink<TGroup, NotUsed>(substreamSink));

    public override object Merge<TOut>(Flow<TGroup, TOut, NotUsed> perSubstream, int breadth) =>
        split.Select(substream => substream.Via(perSubstream)).Via(new MergeSubstreamsStage<TOut>(breadth));
}
