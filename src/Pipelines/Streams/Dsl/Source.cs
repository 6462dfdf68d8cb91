using Pipelines.Streams.Implementation;
using Pipelines.Streams.Stage;
using Pipelines.Streams.Stages;

namespace Pipelines.Streams.Dsl;

/// <summary>Factories of sources.</summary>
public static partial class Source
{
    /// <summary>Wraps any source-shaped graph (a custom <see cref="GraphStage{TShape}"/> or a graph built elsewhere) as a source.</summary>
    public static Source<T, TMat> FromGraph<T, TMat>(IGraph<SourceShape<T>, TMat> graph) =>
        graph as Source<T, TMat> ?? new Source<T, TMat>(Module.Of(graph));

    /// <summary>
    /// Emits the elements of <paramref name="elements"/>, enumerating it afresh for each materialization.
    /// <para>Emits when: downstream pulls and the enumerator has a next element. Completes when: the enumeration ends.</para>
    /// </summary>
    public static Source<T, NotUsed> From<T>(IEnumerable<T> elements) => FromGraph(new EnumerableSource<T>(elements));
}
