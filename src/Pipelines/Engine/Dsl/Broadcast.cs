using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The Broadcast fan-out junction, for graphs built with <see cref="GraphDsl"/>.</summary>
public static class Broadcast
{
    /// <summary>
    /// A junction emitting each element to all of its <paramref name="outputCount"/> outputs.
    /// <para>Emits when: all running outputs have pulled (the element goes to each of them). Back-pressures when: any
    /// running output back-pressures, so the slowest output sets the pace. Completes when: upstream completes. Cancels
    /// when: all outputs cancelled, or the first one when <paramref name="eagerCancel"/> is set (the other outputs are
    /// then completed, or failed with the cause when that output cancelled because it failed).</para>
    /// </summary>
    public static IGraph<UniformFanOutShape<T, T>, NotUsed> Create<T>(int outputCount, bool eagerCancel = false) =>
        new BroadcastStage<T>(outputCount, eagerCancel);
}
