namespace Pipelines.Engine.Dsl;

/// <summary>Ends a <see cref="SubFlow{TOut,TMat,TClosed}"/> by merging its substreams back into one stream.</summary>
public static class SubFlowExtensions
{
    /// <summary>
    /// Merges the substreams of a split source back into one source, running all of them at once.
    /// <para>Emits when: a substream has an element available (substreams with elements take turns). Back-pressures
    /// when: downstream back-pressures (each substream then fills its buffer, and the split back-pressures when a full
    /// substream is fed). Completes when: upstream and every substream completed. Fails when: upstream or any
    /// substream fails (the others are cancelled). Cancels when: downstream cancels (every substream is cancelled).</para>
    /// </summary>
    public static Source<TOut, TMat> MergeSubstreams<TOut, TMat>(this SubFlow<TOut, TMat, RunnableGraph<TMat>> subFlow) =>
        subFlow.MergeSubstreamsWithParallelism(int.MaxValue);

    /// <summary>
    /// Merges the substreams of a split source back into one source, running at most <paramref name="parallelism"/> of
    /// them at once; the next substream starts when one completes. Beware: with fewer slots than keys that are still
    /// receiving elements the stream stops making progress (the split waits for a substream nobody reads). Otherwise
    /// behaves like <see cref="MergeSubstreams{TOut,TMat}(SubFlow{TOut,TMat,RunnableGraph{TMat}})"/>.
    /// </summary>
    public static Source<TOut, TMat> MergeSubstreamsWithParallelism<TOut, TMat>(this SubFlow<TOut, TMat, RunnableGraph<TMat>> subFlow, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(subFlow);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        return (Source<TOut, TMat>)subFlow.Plan.Merge(parallelism);
    }

    /// <summary>Merges the substreams of a split flow back into one flow, running all of them at once; see the source version.</summary>
    public static Flow<TIn, TOut, TMat> MergeSubstreams<TIn, TOut, TMat>(this SubFlow<TOut, TMat, Sink<TIn, TMat>> subFlow) =>
        subFlow.MergeSubstreamsWithParallelism(int.MaxValue);

    /// <summary>Merges the substreams of a split flow back into one flow, running at most <paramref name="parallelism"/> at once; see the source version.</summary>
    public static Flow<TIn, TOut, TMat> MergeSubstreamsWithParallelism<TIn, TOut, TMat>(this SubFlow<TOut, TMat, Sink<TIn, TMat>> subFlow, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(subFlow);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        return (Flow<TIn, TOut, TMat>)subFlow.Plan.Merge(parallelism);
    }
}
