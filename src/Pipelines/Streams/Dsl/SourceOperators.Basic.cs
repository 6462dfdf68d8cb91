using Pipelines.Streams.Stages;

namespace Pipelines.Streams.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Transforms each element with <paramref name="selector"/>.
    /// <para>Emits when: the selector returned for an element. Back-pressures when: downstream back-pressures.
    /// Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the element the selector failed on.</para>
    /// </summary>
    public Source<TNext, TMat> Select<TNext>(Func<TOut, TNext> selector) => Via(new SelectStage<TOut, TNext>(selector));

    /// <summary>
    /// Passes only the elements that satisfy <paramref name="predicate"/>.
    /// <para>Emits when: an element satisfies the predicate. Back-pressures when: an element satisfies the predicate and downstream
    /// back-pressures. Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the element the predicate failed on.</para>
    /// </summary>
    public Source<TOut, TMat> Where(Func<TOut, bool> predicate) => Via(new WhereStage<TOut>(predicate));

    /// <summary>
    /// Maps the elements for which <paramref name="isDefined"/> holds with <paramref name="selector"/> and drops the others
    /// (a partial function, as in Akka's <c>collect</c>).
    /// <para>Emits when: an element is defined and mapped. Back-pressures when: an element is defined and downstream back-pressures.
    /// Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the element a function failed on.</para>
    /// </summary>
    public Source<TNext, TMat> Collect<TNext>(Func<TOut, bool> isDefined, Func<TOut, TNext> selector) => Via(new CollectStage<TOut, TNext>(isDefined, selector));
}
