using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// Flows that survive failures of the flow they wrap: a fresh flow is created by a factory and materialized after an
/// exponential backoff with jitter (<see cref="RestartSettings"/>), on the materializer's clock. Elements inside a
/// failed incarnation are lost; place the restart where losing them is acceptable (or where they are redelivered,
/// as uncommitted Kafka offsets are).
/// </summary>
public static class RestartFlow
{
    /// <summary>
    /// Passes elements through the flow <paramref name="flowFactory"/> returns; whenever it completes or fails while
    /// upstream is still running, runs a new one after the backoff.
    /// <para>Emits when: the running flow emits. Back-pressures when: downstream or the running flow back-pressures (and
    /// during the backoff). Completes when: upstream completed and the running flow completed, or the restart limit is
    /// reached after a completion. Fails when: the restart limit is reached after a failure, or the running flow fails
    /// after upstream finished. Cancels when: downstream cancels.</para>
    /// </summary>
    public static Flow<TIn, TOut, NotUsed> WithBackoff<TIn, TOut, TMat>(RestartSettings settings, Func<Flow<TIn, TOut, TMat>> flowFactory) =>
        Flow.FromGraph(new RestartFlowStage<TIn, TOut, TMat>(flowFactory, settings, onlyOnFailures: false));

    /// <summary>
    /// Like <see cref="WithBackoff{TIn,TOut,TMat}"/>, but only a failure restarts the flow: its completion completes the stream.
    /// <para>Emits when: the running flow emits. Back-pressures when: downstream or the running flow back-pressures.
    /// Completes when: the running flow completes. Fails when: the restart limit is reached after a failure. Cancels
    /// when: downstream cancels.</para>
    /// </summary>
    public static Flow<TIn, TOut, NotUsed> OnFailuresWithBackoff<TIn, TOut, TMat>(RestartSettings settings, Func<Flow<TIn, TOut, TMat>> flowFactory) =>
        Flow.FromGraph(new RestartFlowStage<TIn, TOut, TMat>(flowFactory, settings, onlyOnFailures: true));
}
