using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// A path being wired in a <see cref="GraphBuilder"/>: it starts at an outlet, goes through flows added with
/// <see cref="Via{TNext,TMat}(IGraph{FlowShape{T,TNext},TMat})"/>, and ends at an inlet or sink given to <c>To</c>.
/// </summary>
/// <typeparam name="T">The type of the elements leaving the path's current end.</typeparam>
public sealed class GraphPath<T>
{
    private readonly GraphBuilder _builder;

    internal GraphPath(GraphBuilder builder, Outlet<T> outlet)
    {
        _builder = builder;
        Outlet = outlet;
    }

    /// <summary>The outlet the path currently ends at.</summary>
    public Outlet<T> Outlet { get; }

    /// <summary>Adds <paramref name="flow"/> and connects the path to it.</summary>
    public GraphPath<TNext> Via<TNext, TMat>(IGraph<FlowShape<T, TNext>, TMat> flow) => Via(_builder.Add(flow));

    /// <summary>Connects the path to a flow shape already added to the builder.</summary>
    public GraphPath<TNext> Via<TNext>(FlowShape<T, TNext> flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        _builder.Connect(Outlet, flow.Inlet);
        return new GraphPath<TNext>(_builder, flow.Outlet);
    }

    /// <summary>Ends the path at <paramref name="inlet"/>.</summary>
    public void To(Inlet<T> inlet) => _builder.Connect(Outlet, inlet);

    /// <summary>Ends the path at a sink shape already added to the builder.</summary>
    public void To(SinkShape<T> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _builder.Connect(Outlet, sink.Inlet);
    }

    /// <summary>Adds <paramref name="sink"/> and ends the path at it.</summary>
    public void To<TMat>(IGraph<SinkShape<T>, TMat> sink) => To(_builder.Add(sink));
}
