using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// When upstream fails, emits the element <paramref name="recover"/> returns for the failure and completes; when it
    /// returns <see cref="Option{T}.None"/>, the failure goes through. If <paramref name="recover"/> throws, the stream
    /// fails with that exception (the original failure is logged).
    /// <para>Emits when: an element is available from upstream, or upstream failed and a last element was recovered.
    /// Back-pressures when: downstream back-pressures. Completes when: upstream completes, or after the recovered element.
    /// Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Recover(Func<Exception, Option<TOut>> recover) => Via(new RecoverStage<TOut>(recover));

    /// <summary>
    /// When upstream fails, continues with the source <paramref name="recover"/> returns for the failure (materialized
    /// afresh); a failure of that source is handled the same way, at most <paramref name="attempts"/> times in all
    /// (-1 for no limit). A <see langword="null"/> source, no attempts left or a throwing function fail the stream.
    /// <para>Emits when: an element is available from upstream or from the current recovery source. Back-pressures when:
    /// downstream back-pressures. Completes when: upstream, or the current recovery source, completes. Cancels when:
    /// downstream cancels (the current recovery source is cancelled too).</para>
    /// </summary>
    public Source<TOut, TMat> RecoverWithRetries<TMat2>(int attempts, Func<Exception, IGraph<SourceShape<TOut>, TMat2>?> recover) =>
        Via(new RecoverWithRetriesStage<TOut, TMat2>(attempts, recover));
}
