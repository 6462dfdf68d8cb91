using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>Factories of runnable graphs.</summary>
public static class RunnableGraph
{
    /// <summary>Wraps a closed graph built elsewhere (typically by <see cref="GraphDsl"/>) so it can be run.</summary>
    public static RunnableGraph<TMat> FromGraph<TMat>(IGraph<ClosedShape, TMat> graph) => RunnableGraph<TMat>.FromGraph(graph);
}
