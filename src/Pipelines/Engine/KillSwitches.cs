using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine;

/// <summary>Factories of kill switches: flows that can stop a running stream from outside.</summary>
public static class KillSwitches
{
    /// <summary>
    /// A pass-through flow materializing a <see cref="UniqueKillSwitch"/> for the one stream it runs in
    /// (<c>source.ViaMaterialized(KillSwitches.Single&lt;T&gt;(), Keep.Right)</c>).
    /// </summary>
    public static Flow<T, T, UniqueKillSwitch> Single<T>() => Flow.FromGraph(new KillSwitchStage<T>());
}
