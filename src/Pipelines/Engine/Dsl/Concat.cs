using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The Concat fan-in junction, for graphs built with <see cref="GraphDsl"/>.</summary>
public static class Concat
{
    /// <summary>
    /// A junction emitting every element of its first input, then of the second, and so on.
    /// <para>Emits when: the current input has an element available. Back-pressures when: downstream back-pressures
    /// (later inputs receive no demand before their turn). Completes when: the last input completed. Fails when: any
    /// input fails, even before its turn. Cancels when: downstream cancels.</para>
    /// </summary>
    public static IGraph<UniformFanInShape<T, T>, NotUsed> Create<T>(int inputCount = 2) => new ConcatStage<T>(inputCount);
}
