using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

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

    /// <summary>
    /// Maps each element to a sequence and emits the sequence's elements one by one.
    /// <para>Emits when: the current sequence has a next element and downstream pulls. Back-pressures when: downstream
    /// back-pressures, or the current sequence still has elements. Completes when: upstream completes and the last sequence is
    /// exhausted. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the rest of a sequence whose selector or enumeration failed.</para>
    /// </summary>
    public Source<TNext, TMat> SelectMany<TNext>(Func<TOut, IEnumerable<TNext>> selector) => Via(new SelectManyStage<TOut, TNext>(selector));

    /// <summary>
    /// Emits the running aggregate: first <paramref name="zero"/>, then the aggregate after each element.
    /// <para>Emits when: the seed is pulled, then after each element. Back-pressures when: downstream back-pressures.
    /// Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume drops the failing element and keeps the aggregate; Restart also resets it to <paramref name="zero"/>.</para>
    /// </summary>
    public Source<TAcc, TMat> Scan<TAcc>(TAcc zero, Func<TAcc, TOut, TAcc> aggregate) => Via(new ScanStage<TOut, TAcc>(zero, aggregate));

    /// <summary>
    /// Folds every element into an aggregate starting at <paramref name="zero"/> and emits the result when upstream completes.
    /// <para>Emits when: upstream completes. Back-pressures when: downstream back-pressures (nothing is pulled before downstream
    /// asks for the result). Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume drops the failing element and keeps the aggregate; Restart also resets it to <paramref name="zero"/>.</para>
    /// </summary>
    public Source<TAcc, TMat> Aggregate<TAcc>(TAcc zero, Func<TAcc, TOut, TAcc> aggregate) => Via(new AggregateStage<TOut, TAcc>(zero, aggregate));

    /// <summary>
    /// Emits the first <paramref name="count"/> elements, then completes.
    /// <para>Emits when: an element arrives and fewer than <paramref name="count"/> were emitted. Back-pressures when: downstream
    /// back-pressures. Completes when: <paramref name="count"/> elements were emitted or upstream completes. Cancels when:
    /// <paramref name="count"/> elements were emitted or downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Take(long count) => Via(new TakeStage<TOut>(count));

    /// <summary>
    /// Emits elements while <paramref name="predicate"/> holds, then completes (emitting the first failing element too when
    /// <paramref name="inclusive"/>).
    /// <para>Emits when: the predicate holds (or for the first failing element when inclusive). Back-pressures when: downstream
    /// back-pressures. Completes when: the predicate fails or upstream completes. Cancels when: the predicate fails or downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the element the predicate failed on.</para>
    /// </summary>
    public Source<TOut, TMat> TakeWhile(Func<TOut, bool> predicate, bool inclusive = false) => Via(new TakeWhileStage<TOut>(predicate, inclusive));

    /// <summary>
    /// Drops the first <paramref name="count"/> elements, then passes the rest.
    /// <para>Emits when: an element arrives after the first <paramref name="count"/>. Back-pressures when: past the skipped elements and
    /// downstream back-pressures. Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Skip(long count) => Via(new SkipStage<TOut>(count));

    /// <summary>
    /// Drops elements while <paramref name="predicate"/> holds, then passes every element.
    /// <para>Emits when: the predicate failed once, for that element and all after it. Back-pressures when: past the skipped
    /// elements and downstream back-pressures. Completes when: upstream completes. Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop the element the predicate failed on.</para>
    /// </summary>
    public Source<TOut, TMat> SkipWhile(Func<TOut, bool> predicate) => Via(new SkipWhileStage<TOut>(predicate));

    /// <summary>
    /// Emits groups of <paramref name="size"/> elements; the last group may be smaller.
    /// <para>Emits when: a group is full, or upstream completed with a partial group (never dropped). Back-pressures when:
    /// a group is full and downstream back-pressures. Completes when: upstream completes and the last group was emitted.
    /// Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<IReadOnlyList<TOut>, TMat> Grouped(int size) => Via(new GroupedStage<TOut>(size));

    /// <summary>
    /// Buffers up to <paramref name="size"/> elements so upstream can run ahead; when full, <paramref name="overflowStrategy"/>
    /// decides (only <see cref="OverflowStrategy.Backpressure"/> never drops).
    /// <para>Emits when: the buffer has an element and downstream pulls. Back-pressures when: the buffer is full and the strategy is
    /// Backpressure. Completes when: upstream completes and the buffer is drained. Fails when: upstream fails (at once), or the
    /// buffer overflows with strategy Fail. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Buffer(int size, OverflowStrategy overflowStrategy) => Via(new BufferStage<TOut>(size, overflowStrategy));

    /// <summary>
    /// Passes elements through and materializes, combined with this source's value by <paramref name="combine"/>, a task
    /// that completes when this point of the stream terminates: successfully on completion or cancellation, faulted on failure.
    /// </summary>
    public Source<TOut, TMat2> WatchTermination<TMat2>(Func<TMat, Task, TMat2> combine) => ViaMaterialized(new WatchTerminationStage<TOut>(), combine);
}
