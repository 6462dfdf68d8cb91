using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// Logs every element (or what <paramref name="extract"/> takes from it), the completion, the cancellation and the
    /// failure to the materializer's logger under <paramref name="name"/>, at <paramref name="levels"/> (or a
    /// <see cref="LogLevels"/> attribute; by default elements and completion at Debug, failure at Error). A failure is
    /// logged and then propagated.
    /// <para>Emits when: upstream emits. Back-pressures when: downstream back-pressures. Completes when: upstream
    /// completes. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Log(string name, Func<TOut, object?>? extract = null, LogLevels? levels = null) =>
        Via(new LogStage<TOut>(name, extract, levels));

    /// <summary>
    /// Calls <paramref name="action"/> with each element before passing it on unchanged (for metrics, tracing, tests).
    /// Supervision: Stop fails the stream with the action's exception; Resume and Restart drop the element.
    /// <para>Emits when: the action returned for an element. Back-pressures when: downstream back-pressures. Completes
    /// when: upstream completes. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> OnElement(Action<TOut> action) => Via(new OnElementStage<TOut>(action));
}
