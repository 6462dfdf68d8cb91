namespace Pipelines.Engine.Stage;

/// <summary>The shape of a flow: one inlet and one outlet.</summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
public sealed class FlowShape<TIn, TOut> : Shape
{
    /// <summary>Creates a flow shape from its two ports.</summary>
    public FlowShape(Inlet<TIn> inlet, Outlet<TOut> outlet)
    {
        ArgumentNullException.ThrowIfNull(inlet);
        ArgumentNullException.ThrowIfNull(outlet);
        Inlet = inlet;
        Outlet = outlet;
        Inlets = [inlet];
        Outlets = [outlet];
        AssignIds(Inlets, Outlets);
    }

    /// <summary>The input port.</summary>
    public Inlet<TIn> Inlet { get; }

    /// <summary>The output port.</summary>
    public Outlet<TOut> Outlet { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets { get; }

    /// <inheritdoc />
    public override Shape DeepCopy() => new FlowShape<TIn, TOut>(new Inlet<TIn>(Inlet.Name), new Outlet<TOut>(Outlet.Name));
}
