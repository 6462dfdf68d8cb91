using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Splits the stream into one substream per key (computed by <paramref name="keySelector"/>); the operators added to
    /// the returned <see cref="SubFlow{TOut,TMat,TClosed}"/> run on each substream, concurrently.
    /// <para>Emits when: an element of a new key arrives (a new substream starts with it); elements of known keys go to
    /// their substream. Back-pressures when: the substream an element belongs to back-pressures (its buffer of the
    /// materializer's input buffer size is full), or downstream does not take a new substream yet; either way every
    /// substream waits. Completes when: upstream completes (every substream completes after its buffered elements).
    /// Fails when: upstream fails (every substream fails), a substream fails and does not recover (the merged stream, or
    /// the stream closed with <c>To</c>, fails with its error), or a key would open more than
    /// <paramref name="maxSubstreams"/> substreams (<see cref="TooManySubstreamsOpenException"/> naming the limit and the
    /// key). Cancels when: downstream cancelled and every substream cancelled.</para>
    /// <para>A substream that cancels closes its key: later elements of that key are dropped, and the key keeps counting
    /// towards <paramref name="maxSubstreams"/> (Akka's default); with <paramref name="allowClosedSubstreamRecreation"/>
    /// the key opens a new substream instead. Supervision: Resume and Restart drop the element the key selector (or the
    /// substream limit) failed on.</para>
    /// </summary>
    public SubFlow<TOut, TMat, RunnableGraph<TMat>> GroupBy<TKey>(int maxSubstreams, Func<TOut, TKey> keySelector, bool allowClosedSubstreamRecreation = false)
        where TKey : notnull =>
        SourceSubFlowRoot<TOut, TMat>.Create(Via(new GroupByStage<TOut, TKey>(maxSubstreams, keySelector, allowClosedSubstreamRecreation)));
}
