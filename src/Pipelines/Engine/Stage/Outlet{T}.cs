using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>A typed output port of a stage.</summary>
/// <typeparam name="T">The type of the elements leaving this port.</typeparam>
/// <param name="name">The port's name, used in error messages and diagnostics.</param>
public sealed class Outlet<T>(string name) : Outlet(name)
{
    /// <inheritdoc />
    public override Type ElementType => typeof(T);

    /// <inheritdoc />
    public override Outlet CarbonCopy() => new Outlet<T>(Name);

    internal override Connection CreateConnection() => new Connection<T>();
}
