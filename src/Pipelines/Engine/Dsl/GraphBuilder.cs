using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// Collects the graphs and edges of one <see cref="GraphDsl"/> build. <see cref="Add{TShape,TMat}"/> returns a fresh
/// copy of a graph's shape whose ports stand for that one instance (adding a graph twice gives two instances); connect
/// those ports with <see cref="Connect{T}"/> or <see cref="From{T}(Outlet{T})"/>. Every port must end up connected
/// exactly once or be exposed in the shape the build block returns.
/// </summary>
public sealed class GraphBuilder
{
    private readonly List<Module> _children = [];
    private readonly List<(PortRef From, PortRef To)> _edges = [];
    private readonly Dictionary<Inlet, PortState> _inlets = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Outlet, PortState> _outlets = new(ReferenceEqualityComparer.Instance);
    private bool _built;

    internal GraphBuilder()
    {
    }

    /// <summary>Adds an instance of <paramref name="graph"/> and returns its shape, whose ports belong to this builder.</summary>
    public TShape Add<TShape, TMat>(IGraph<TShape, TMat> graph)
        where TShape : Shape
    {
        ArgumentNullException.ThrowIfNull(graph);
        ThrowIfBuilt();
        var module = Module.Of(graph);
        var copy = (TShape)graph.Shape.DeepCopy();
        var child = _children.Count;
        _children.Add(module);
        var owner = $"{module} (graph #{child + 1} of the builder)";
        for (var i = 0; i < copy.Inlets.Count; i++)
        {
            _inlets.Add(copy.Inlets[i], new PortState(new PortRef(child, i), owner, "inlet " + copy.Inlets[i].Name));
        }

        for (var i = 0; i < copy.Outlets.Count; i++)
        {
            _outlets.Add(copy.Outlets[i], new PortState(new PortRef(child, i), owner, "outlet " + copy.Outlets[i].Name));
        }

        return copy;
    }

    /// <summary>Connects <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentException">A port does not come from a shape returned by this builder.</exception>
    /// <exception cref="InvalidOperationException">A port is already connected.</exception>
    public void Connect<T>(Outlet<T> from, Inlet<T> to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ThrowIfBuilt();
        var outState = Find(_outlets, from, nameof(from));
        var inState = Find(_inlets, to, nameof(to));
        outState.ThrowIfUsed();
        inState.ThrowIfUsed();
        outState.Connected = true;
        inState.Connected = true;
        _edges.Add((outState.Ref, inState.Ref));
    }

    /// <summary>Starts a path at <paramref name="outlet"/>: continue with <c>Via</c> and end with <c>To</c>.</summary>
    public GraphPath<T> From<T>(Outlet<T> outlet)
    {
        ArgumentNullException.ThrowIfNull(outlet);
        ThrowIfBuilt();
        Find(_outlets, outlet, nameof(outlet)).ThrowIfUsed();
        return new GraphPath<T>(this, outlet);
    }

    /// <summary>Adds <paramref name="source"/> and starts a path at its outlet.</summary>
    public GraphPath<T> From<T, TMat>(IGraph<SourceShape<T>, TMat> source) => From(Add(source).Outlet);

    internal IGraph<TShape, TMat> Build<TShape, TMat>(TShape shape, MatNode mat)
        where TShape : Shape
    {
        ArgumentNullException.ThrowIfNull(shape, nameof(shape));
        ThrowIfBuilt();
        _built = true;
        var exposedInlets = shape.Inlets.Select(inlet => Expose(_inlets, inlet)).ToArray();
        var exposedOutlets = shape.Outlets.Select(outlet => Expose(_outlets, outlet)).ToArray();
        var open = _inlets.Values.Concat(_outlets.Values).Where(p => !p.Connected).Select(p => $"{p.Description} of {p.Owner}").ToList();
        if (open.Count > 0)
        {
            throw new InvalidOperationException(
                $"The graph has unconnected ports: {string.Join(", ", open)}. Connect each port, or expose it in the shape the build block returns.");
        }

        var module = new CompositeModule(shape.DeepCopy(), [.. _children], [.. _edges], exposedInlets, exposedOutlets, mat, Attributes.None);
        return new ModuleGraph<TShape, TMat>(module);
    }

    private static PortRef Expose<TPort>(Dictionary<TPort, PortState> ports, TPort port)
        where TPort : class
    {
        if (!ports.TryGetValue(port, out var state))
        {
            throw new InvalidOperationException(
                $"The returned shape exposes port {port}, which does not come from a shape returned by this builder's Add.");
        }

        if (state.Connected)
        {
            throw new InvalidOperationException($"The returned shape exposes {state.Description} of {state.Owner}, which is already connected.");
        }

        state.Connected = true;
        return state.Ref;
    }

    private static PortState Find<TPort>(Dictionary<TPort, PortState> ports, TPort port, string paramName)
        where TPort : class =>
        ports.TryGetValue(port, out var state)
            ? state
            : throw new ArgumentException(
                $"Port {port} does not come from a shape returned by this builder's Add; connect the ports of the added copies.",
                paramName);

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("The graph was already built; a builder cannot be used after its build block returned.");
        }
    }

    private sealed class PortState(PortRef portRef, string owner, string description)
    {
        public PortRef Ref { get; } = portRef;

        public string Owner { get; } = owner;

        public string Description { get; } = description;

        // Connected to another port, or exposed by the built graph.
        public bool Connected { get; set; }

        public void ThrowIfUsed()
        {
            if (Connected)
            {
                throw new InvalidOperationException($"{Description} of {Owner} is already connected; a port connects to exactly one other port.");
            }
        }
    }
}
