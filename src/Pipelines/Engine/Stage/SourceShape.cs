namespace Pipelines.Engine.Stage;

/// <summary>The shape of a source: one outlet.</summary>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
public sealed class SourceShape<TOut> : Shape
{
    /// <summary>Creates a source shape around <paramref name="outlet"/>.</summary>
    public SourceShape(Outlet<TOut> outlet)
    {
        ArgumentNullException.ThrowIfNull(outlet);
        Outlet = outlet;
        Outlets = [outlet];
        AssignIds([], Outlets);
    }

    /// <summary>The single output port.</summary>
    public Outlet<TOut> Outlet { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets => [];

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets { get; }

    /// <inheritdoc />
    public override Shape DeepCopy() => new SourceShape<TOut>(new Outlet<TOut>(Outlet.Name));
}
