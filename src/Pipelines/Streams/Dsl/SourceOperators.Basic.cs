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
}
