using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>An output port of a stage: the stage pushes elements here once downstream has pulled.</summary>
public abstract class Outlet
{
    private protected Outlet(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The port's name, used in error messages and diagnostics.</summary>
    public string Name { get; }

    /// <summary>The element type the port emits.</summary>
    public abstract Type ElementType { get; }

    // Index of the port in its stage's shape; the logic finds the port's connection by it.
    internal int Id { get; set; } = -1;

    /// <summary>Creates a new port of the same element type and name (used when a shape is copied).</summary>
    public abstract Outlet CarbonCopy();

    /// <inheritdoc />
    public override string ToString() => Name;

    // Typed factory for an edge inside one island: the connection carries elements without boxing.
    internal abstract Connection CreateConnection();
}
