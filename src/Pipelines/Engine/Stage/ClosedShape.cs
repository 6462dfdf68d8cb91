namespace Pipelines.Engine.Stage;

/// <summary>The shape of a runnable graph: no open ports.</summary>
public sealed class ClosedShape : Shape
{
    private ClosedShape()
    {
    }

    /// <summary>The single closed shape.</summary>
    public static ClosedShape Instance { get; } = new();

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets => [];

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets => [];

    /// <inheritdoc />
    public override Shape DeepCopy() => this;
}
