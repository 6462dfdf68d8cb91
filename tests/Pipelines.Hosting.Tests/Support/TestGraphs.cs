using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka;

namespace Pipelines.Hosting.Tests.Support;

/// <summary>Graphs without Kafka for pipelines whose data does not matter: they run until drained, or fail at once.</summary>
public static class TestGraphs
{
    /// <summary>Runs until drained; <paramref name="materialized"/> is called on every materialization.</summary>
    public static IRunnableGraph<DrainingControl<Done>> Idle(Action? materialized = null) =>
        Source.Never<int>()
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), (killSwitch, done) =>
            {
                materialized?.Invoke();
                return DrainingControl<Done>.Create(new KillSwitchControl(killSwitch, done), done);
            });

    /// <summary>Completes as soon as it is materialized (a source with nothing to read).</summary>
    public static IRunnableGraph<DrainingControl<Done>> Finite(Action? materialized = null) =>
        Source.Empty<int>()
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), (killSwitch, done) =>
            {
                materialized?.Invoke();
                return DrainingControl<Done>.Create(new KillSwitchControl(killSwitch, done), done);
            });

    /// <summary>Throws while it is materialized, with <paramref name="message"/>.</summary>
    public static IRunnableGraph<DrainingControl<Done>> Unmaterializable(string message, Action? materialized = null)
    {
        DrainingControl<Done> Fail(UniqueKillSwitch killSwitch, Task<Done> done)
        {
            materialized?.Invoke();
            throw new InvalidOperationException(message);
        }

        return Source.Never<int>()
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), Fail);
    }

    /// <summary>Fails as soon as it is materialized, with <paramref name="message"/>.</summary>
    public static IRunnableGraph<DrainingControl<Done>> Failing(string message, Action? materialized = null) =>
        Source.Failed<int>(new InvalidOperationException(message))
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), (killSwitch, done) =>
            {
                materialized?.Invoke();
                return DrainingControl<Done>.Create(new KillSwitchControl(killSwitch, done), done);
            });
}
