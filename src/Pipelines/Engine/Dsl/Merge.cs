using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The Merge fan-in junction, for graphs built with <see cref="GraphDsl"/>.</summary>
public static class Merge
{
    /// <summary>
    /// A junction emitting the elements of <paramref name="inputCount"/> inputs as they arrive (first come, first served).
    /// <para>Emits when: one of the inputs has an element available. Back-pressures when: downstream back-pressures
    /// (each input then holds at most one element). Completes when: all inputs completed, or the first one when
    /// <paramref name="eagerComplete"/> is set (elements already received are emitted first). Fails when: any input
    /// fails. Cancels when: downstream cancels.</para>
    /// </summary>
    public static IGraph<UniformFanInShape<T, T>, NotUsed> Create<T>(int inputCount, bool eagerComplete = false) =>
        new MergeStage<T>(inputCount, eagerComplete);
}
