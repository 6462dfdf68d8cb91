namespace Pipelines.Engine.Stage;

/// <summary>The shape of a fan-in stage with two differently typed inlets and one outlet (Zip, ZipWith, …).</summary>
/// <typeparam name="TIn0">The type of the first input.</typeparam>
/// <typeparam name="TIn1">The type of the second input.</typeparam>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
public sealed class FanInShape2<TIn0, TIn1, TOut> : Shape
{
    /// <summary>Creates the shape from its ports.</summary>
    public FanInShape2(Inlet<TIn0> in0, Inlet<TIn1> in1, Outlet<TOut> outlet)
    {
        ArgumentNullException.ThrowIfNull(in0);
        ArgumentNullException.ThrowIfNull(in1);
        ArgumentNullException.ThrowIfNull(outlet);
        In0 = in0;
        In1 = in1;
        Out = outlet;
        Inlets = [in0, in1];
        Outlets = [outlet];
        AssignIds(Inlets, Outlets);
    }

    /// <summary>The first input port.</summary>
    public Inlet<TIn0> In0 { get; }

    /// <summary>The second input port.</summary>
    public Inlet<TIn1> In1 { get; }

    /// <summary>The output port.</summary>
    public Outlet<TOut> Out { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets { get; }

    /// <inheritdoc />
    public override Shape DeepCopy() =>
        new FanInShape2<TIn0, TIn1, TOut>(new Inlet<TIn0>(In0.Name), new Inlet<TIn1>(In1.Name), new Outlet<TOut>(Out.Name));
}
