using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Emits the elements of this source and of <paramref name="other"/> as they arrive (first come, first served).
    /// <para>Emits when: either source has an element available. Back-pressures when: downstream back-pressures.
    /// Completes when: both sources completed, or either one when <paramref name="eagerComplete"/> is set. Fails when:
    /// either source fails. Cancels when: downstream cancels (both sources are cancelled).</para>
    /// </summary>
    public Source<TOut, TMat> Merge<TMat2>(IGraph<SourceShape<TOut>, TMat2> other, bool eagerComplete = false) =>
        Via(FanInOutFlows.MergeWith(other, eagerComplete));

    /// <summary>
    /// Emits every element of this source, then every element of <paramref name="other"/> (which receives no demand
    /// before this source completed).
    /// <para>Emits when: the current source has an element available. Back-pressures when: downstream back-pressures.
    /// Completes when: <paramref name="other"/> completed. Fails when: either source fails. Cancels when: downstream
    /// cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Concat<TMat2>(IGraph<SourceShape<TOut>, TMat2> other) => Via(FanInOutFlows.ConcatWith(other));

    /// <summary>
    /// Pairs each element of this source with one of <paramref name="other"/>.
    /// <para>Emits when: both sources have an element available. Back-pressures when: downstream back-pressures.
    /// Completes when: either source completed (and no element of it waits to be paired). Fails when: either source
    /// fails. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<(TOut First, T2 Second), TMat> Zip<T2, TMat2>(IGraph<SourceShape<T2>, TMat2> other) =>
        Via(FanInOutFlows.ZipWith<TOut, T2, (TOut, T2), TMat2>(other, static (a, b) => (a, b)));

    /// <summary>
    /// Combines each element of this source with one of <paramref name="other"/> using <paramref name="zipper"/>; emits,
    /// back-pressures, completes and cancels like <see cref="Zip{T2,TMat2}"/>. A failing zipper fails the stream.
    /// </summary>
    public Source<TNext, TMat> ZipWith<T2, TNext, TMat2>(IGraph<SourceShape<T2>, TMat2> other, Func<TOut, T2, TNext> zipper) =>
        Via(FanInOutFlows.ZipWith(other, zipper));

    /// <summary>
    /// Also sends every element to <paramref name="sink"/> (a broadcast to a side sink). An element goes on downstream
    /// only once the side sink pulled too, so the side sink's back-pressure slows the main stream. When the side sink
    /// fails, the main stream fails with the same error (upstream is cancelled); when it completes early (e.g. a sink
    /// that needs only the first element), upstream is cancelled and the main stream completes.
    /// <para>Emits when: an element is available and both downstream and the side sink pulled. Back-pressures when:
    /// downstream or the side sink back-pressures. Completes when: upstream completes, or the side sink cancels. Fails
    /// when: upstream or the side sink fails. Cancels when: downstream or the side sink cancels.</para>
    /// </summary>
    public Source<TOut, TMat> AlsoTo<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => Via(FanInOutFlows.AlsoTo(sink));

    /// <summary>
    /// Like <see cref="AlsoTo{TMat2}"/>, combining this source's materialized value with the side sink's using
    /// <paramref name="combine"/> (e.g. <see cref="Keep.Both{TLeft,TRight}"/> to observe the side sink's task).
    /// </summary>
    public Source<TOut, TMat3> AlsoToMaterialized<TMat2, TMat3>(IGraph<SinkShape<TOut>, TMat2> sink, Func<TMat, TMat2, TMat3> combine) =>
        ViaMaterialized(FanInOutFlows.AlsoTo(sink), combine);
}
