using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>A typed input port of a stage.</summary>
/// <typeparam name="T">The type of the elements arriving at this port.</typeparam>
/// <param name="name">The port's name, used in error messages and diagnostics.</param>
public sealed class Inlet<T>(string name) : Inlet(name)
{
    /// <inheritdoc />
    public override Type ElementType => typeof(T);

    /// <inheritdoc />
    public override Inlet CarbonCopy() => new Inlet<T>(Name);

    internal override BoundaryParts CreateBoundary(int capacity) => BoundaryParts.Create<T>(capacity);
}
