namespace Pipelines.Engine.Dsl;

/// <summary>The stream a sub-flow was split from: it closes or merges the substreams once their flow is known.</summary>
/// <typeparam name="TGroup">The type of the elements the split emits into each substream.</typeparam>
/// <typeparam name="TMat">The materialized value of the stream before the split.</typeparam>
/// <typeparam name="TClosed">What closing the sub-flow with a sink returns.</typeparam>
internal abstract class SubFlowRoot<TGroup, TMat, TClosed>
{
    /// <summary>Runs every substream into <paramref name="substreamSink"/> (the per-substream flow is already part of it).</summary>
    public abstract TClosed To(Sink<TGroup, NotUsed> substreamSink);

    /// <summary>Applies <paramref name="perSubstream"/> to every substream and merges them, <paramref name="breadth"/> at a time.</summary>
    public abstract object Merge<TOut>(Flow<TGroup, TOut, NotUsed> perSubstream, int breadth);
}
