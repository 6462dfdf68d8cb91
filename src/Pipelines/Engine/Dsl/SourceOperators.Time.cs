using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Emits a group when it holds <paramref name="size"/> elements or when <paramref name="interval"/> has passed since its first
    /// element (on the materializer's clock), whichever comes first.
    /// <para>Emits when: a group is full, or its interval elapsed, and downstream pulls; empty groups are never emitted and a partial
    /// group is emitted when upstream completes (never dropped). Back-pressures when: a group is full and downstream back-pressures.
    /// Completes when: upstream completes and the last group was emitted. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<IReadOnlyList<TOut>, TMat> GroupedWithin(int size, TimeSpan interval) => Via(new GroupedWithinStage<TOut>(size, interval));

    /// <summary>
    /// Holds each element until the time <paramref name="dueTime"/> returns for it (on the materializer's clock), then emits it;
    /// elements keep their arrival order. A single timer waits for the held element: no polling.
    /// <para>Emits when: the held element is due and downstream pulls. Back-pressures when: an element is held and not yet due
    /// (nothing more is pulled), or downstream back-pressures. Completes when: upstream completes and the held element was emitted.
    /// Cancels when: downstream cancels.</para>
    /// <para>Supervision: Resume and Restart drop an element whose due-time function failed.</para>
    /// </summary>
    public Source<TOut, TMat> DelayUntil(Func<TOut, DateTimeOffset> dueTime) => Via(new DelayUntilStage<TOut>(dueTime));
}
