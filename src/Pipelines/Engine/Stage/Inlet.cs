using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>An input port of a stage: elements arrive here after the stage pulls it.</summary>
public abstract class Inlet
{
    private protected Inlet(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The port's name, used in error messages and diagnostics.</summary>
    public string Name { get; }

    /// <summary>The element type the port accepts.</summary>
    public abstract Type ElementType { get; }

    // Index of the port in its stage's shape; the logic finds the port's connection by it.
    internal int Id { get; set; } = -1;

    /// <summary>Creates a new port of the same element type and name (used when a shape is copied).</summary>
    public abstract Inlet CarbonCopy();

    /// <inheritdoc />
    public override string ToString() => Name;

    // Typed factory for the inbound end of a boundary between two islands.
    internal abstract BoundaryParts CreateBoundary(int capacity);
}
