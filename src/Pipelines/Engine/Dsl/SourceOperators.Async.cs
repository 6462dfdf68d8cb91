using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Calls <paramref name="selector"/> for each element with up to <paramref name="parallelism"/> calls in flight and emits
    /// the results in input order.
    /// <para>Emits when: the call for the oldest element in flight completed and downstream pulls. Back-pressures when:
    /// <paramref name="parallelism"/> calls are in flight, or the oldest is done and downstream back-pressures. Completes when:
    /// upstream completed and every call was emitted. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop an element whose call failed; Stop fails the stream with the call's exception.</para>
    /// </summary>
    public Source<TNext, TMat> SelectAsync<TNext>(int parallelism, Func<TOut, Task<TNext>> selector) =>
        Via(new SelectAsyncStage<TOut, TNext>(parallelism, selector));

    /// <summary>
    /// Calls <paramref name="selector"/> for each element with up to <paramref name="parallelism"/> calls in flight and emits
    /// the results as they complete (the order is not kept).
    /// <para>Emits when: any call completed and downstream pulls. Back-pressures when: <paramref name="parallelism"/> calls are in
    /// flight or waiting to be emitted. Completes when: upstream completed and every call was emitted. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop an element whose call failed; Stop fails the stream with the call's exception.</para>
    /// </summary>
    public Source<TNext, TMat> SelectAsyncUnordered<TNext>(int parallelism, Func<TOut, Task<TNext>> selector) =>
        Via(new SelectAsyncUnorderedStage<TOut, TNext>(parallelism, selector));

    /// <summary>
    /// Calls <paramref name="selector"/> for each element with at most <paramref name="parallelism"/> calls in flight overall and
    /// at most one per key (from <paramref name="partitioner"/>), and emits the results in input order: elements of one key are
    /// processed strictly one after another, different keys in parallel. The stage holds a window of <paramref name="parallelism"/>
    /// plus the input buffer size (<c>Attributes.InputBuffer</c>, default 16) elements; an element whose key is busy waits there
    /// without holding back later elements of other keys.
    /// <para>Emits when: the call for the oldest element in the window completed and downstream pulls. Back-pressures when: the
    /// window is full. Completes when: upstream completed and every element was emitted. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop an element whose call failed (its key continues with the next element); Stop
    /// fails the stream with the call's exception.</para>
    /// </summary>
    public Source<TNext, TMat> SelectAsyncPartitioned<TKey, TNext>(int parallelism, Func<TOut, TKey> partitioner, Func<TOut, Task<TNext>> selector)
        where TKey : notnull =>
        Via(new SelectAsyncPartitionedStage<TOut, TNext, TKey>(parallelism, partitioner, selector));
}
