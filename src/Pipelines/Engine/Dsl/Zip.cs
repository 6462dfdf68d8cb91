using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The Zip and ZipWith fan-in junctions, for graphs built with <see cref="GraphDsl"/>.</summary>
public static class Zip
{
    /// <summary>
    /// A junction pairing one element of each input into a tuple.
    /// <para>Emits when: both inputs have an element available. Back-pressures when: downstream back-pressures (the
    /// inputs are pulled only on demand). Completes when: either input completed and no element of it waits to be
    /// paired. Fails when: either input fails. Cancels when: downstream cancels.</para>
    /// </summary>
    public static IGraph<FanInShape2<T0, T1, (T0, T1)>, NotUsed> Create<T0, T1>() =>
        new ZipWithStage<T0, T1, (T0, T1)>(static (a, b) => (a, b));

    /// <summary>
    /// A junction combining one element of each input with <paramref name="zipper"/>; see <see cref="Create{T0,T1}"/>
    /// for when it emits, back-pressures, completes and cancels. A failing zipper fails the stage.
    /// </summary>
    public static IGraph<FanInShape2<T0, T1, TOut>, NotUsed> With<T0, T1, TOut>(Func<T0, T1, TOut> zipper) =>
        new ZipWithStage<T0, T1, TOut>(zipper);
}
