namespace Pipelines.Engine.Stage;

/// <summary>The shape of a sink: one inlet.</summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
public sealed class SinkShape<TIn> : Shape
{
    /// <summary>Creates a sink shape around <paramref name="inlet"/>.</summary>
    public SinkShape(Inlet<TIn> inlet)
    {
        ArgumentNullException.ThrowIfNull(inlet);
        Inlet = inlet;
        Inlets = [inlet];
        AssignIds(Inlets, []);
    }

    /// <summary>The single input port.</summary>
    public Inlet<TIn> Inlet { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets => [];

    /// <inheritdoc />
    public override Shape DeepCopy() => new SinkShape<TIn>(new Inlet<TIn>(Inlet.Name));
}
