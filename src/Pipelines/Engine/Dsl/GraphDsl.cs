using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// Builds graphs that a linear chain cannot express: add graphs (junctions such as <see cref="Merge"/> and
/// <see cref="Broadcast"/>, sources, flows, sinks) to a <see cref="GraphBuilder"/>, connect their ports, and return the
/// shape the result exposes — <see cref="ClosedShape.Instance"/> for a runnable graph, or a source, flow or sink shape
/// made of the ports left open. Wrap the result with <c>RunnableGraph.FromGraph</c>, <c>Source.FromGraph</c>,
/// <c>Flow.FromGraph</c> or <c>Sink.FromGraph</c>.
/// </summary>
/// <example>
/// <code>
/// var graph = RunnableGraph.FromGraph(GraphDsl.Create(Sink.Seq&lt;int&gt;(), (b, sink) =&gt;
/// {
///     var broadcast = b.Add(Broadcast.Create&lt;int&gt;(2));
///     var merge = b.Add(Merge.Create&lt;int&gt;(2));
///     b.From(Source.From([1, 2, 3])).To(broadcast.In);
///     b.From(broadcast.Out[0]).Via(Flow.Create&lt;int&gt;().Select(x =&gt; x * 10)).To(merge.In[0]);
///     b.From(broadcast.Out[1]).To(merge.In[1]);
///     b.From(merge.Out).To(sink.Inlet);
///     return ClosedShape.Instance;
/// }));
/// </code>
/// </example>
public static class GraphDsl
{
    /// <summary>Builds a graph whose materialized value is <see cref="NotUsed"/>.</summary>
    /// <param name="buildBlock">Adds and connects graphs; returns the shape the graph exposes.</param>
    /// <exception cref="InvalidOperationException">A port is neither connected nor exposed (the message names it).</exception>
    public static IGraph<TShape, NotUsed> Create<TShape>(Func<GraphBuilder, TShape> buildBlock)
        where TShape : Shape
    {
        ArgumentNullException.ThrowIfNull(buildBlock);
        var builder = new GraphBuilder();
        return builder.Build<TShape, NotUsed>(buildBlock(builder), MatNode.Constant(NotUsed.Instance));
    }

    /// <summary>Builds a graph around <paramref name="graph"/>, whose materialized value becomes the graph's.</summary>
    /// <param name="graph">Added first; its shape (with ports of this builder) is passed to <paramref name="buildBlock"/>.</param>
    /// <param name="buildBlock">Adds and connects graphs; returns the shape the graph exposes.</param>
    /// <exception cref="InvalidOperationException">A port is neither connected nor exposed (the message names it).</exception>
    public static IGraph<TShape, TMat> Create<TShape, TShape1, TMat>(IGraph<TShape1, TMat> graph, Func<GraphBuilder, TShape1, TShape> buildBlock)
        where TShape : Shape
        where TShape1 : Shape
    {
        ArgumentNullException.ThrowIfNull(buildBlock);
        var builder = new GraphBuilder();
        var shape1 = builder.Add(graph);
        return builder.Build<TShape, TMat>(buildBlock(builder, shape1), MatNode.Child(0));
    }

    /// <summary>Builds a graph around two graphs whose materialized values are combined with <paramref name="combine"/>.</summary>
    /// <param name="graph1">Added first.</param>
    /// <param name="graph2">Added second.</param>
    /// <param name="combine">Computes the graph's materialized value from those of <paramref name="graph1"/> and <paramref name="graph2"/> (e.g. <see cref="Keep.Both{TLeft,TRight}"/>).</param>
    /// <param name="buildBlock">Adds and connects graphs; returns the shape the graph exposes.</param>
    /// <exception cref="InvalidOperationException">A port is neither connected nor exposed (the message names it).</exception>
    public static IGraph<TShape, TMat> Create<TShape, TShape1, TMat1, TShape2, TMat2, TMat>(
        IGraph<TShape1, TMat1> graph1,
        IGraph<TShape2, TMat2> graph2,
        Func<TMat1, TMat2, TMat> combine,
        Func<GraphBuilder, TShape1, TShape2, TShape> buildBlock)
        where TShape : Shape
        where TShape1 : Shape
        where TShape2 : Shape
    {
        ArgumentNullException.ThrowIfNull(combine);
        ArgumentNullException.ThrowIfNull(buildBlock);
        var builder = new GraphBuilder();
        var shape1 = builder.Add(graph1);
        var shape2 = builder.Add(graph2);
        var mat = MatNode.Combine(MatNode.Child(0), MatNode.Child(1), Linear.Combine(combine));
        return builder.Build<TShape, TMat>(buildBlock(builder, shape1, shape2), mat);
    }
}
