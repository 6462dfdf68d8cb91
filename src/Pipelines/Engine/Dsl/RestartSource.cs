using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// Sources that survive failures of the source they wrap: a fresh source is created by a factory and materialized
/// after an exponential backoff with jitter (<see cref="RestartSettings"/>), on the materializer's clock.
/// </summary>
public static class RestartSource
{
    /// <summary>
    /// Emits the elements of the source <paramref name="sourceFactory"/> returns; whenever it completes or fails, runs a
    /// new one after the backoff. Elements are never replayed: a restarted source starts wherever its factory makes it start.
    /// <para>Emits when: the running source emits. Back-pressures when: downstream back-pressures (and during the backoff).
    /// Completes when: the restart limit is reached after a completion. Fails when: the restart limit is reached after a
    /// failure (with that failure). Cancels when: downstream cancels (the running source is cancelled).</para>
    /// </summary>
    public static Source<T, NotUsed> WithBackoff<T, TMat>(RestartSettings settings, Func<Source<T, TMat>> sourceFactory) =>
        Source.FromGraph(new RestartSourceStage<T, TMat>(sourceFactory, settings, onlyOnFailures: false));

    /// <summary>
    /// Like <see cref="WithBackoff{T,TMat}"/>, but only a failure restarts the source: its completion completes the stream.
    /// <para>Emits when: the running source emits. Back-pressures when: downstream back-pressures (and during the backoff).
    /// Completes when: the running source completes. Fails when: the restart limit is reached after a failure (with that
    /// failure). Cancels when: downstream cancels.</para>
    /// </summary>
    public static Source<T, NotUsed> OnFailuresWithBackoff<T, TMat>(RestartSettings settings, Func<Source<T, TMat>> sourceFactory) =>
        Source.FromGraph(new RestartSourceStage<T, TMat>(sourceFactory, settings, onlyOnFailures: true));
}
