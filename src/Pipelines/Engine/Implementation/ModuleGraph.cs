using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>A graph that is nothing but a module and its shape: what the graph builder returns.</summary>
internal sealed class ModuleGraph<TShape, TMat>(Module module) : IGraph<TShape, TMat>, IModuleGraph
    where TShape : Shape
{
    public TShape Shape { get; } = (TShape)module.Shape;

    public Module Module => module;

    public override string ToString() => module.ToString() ?? nameof(ModuleGraph<TShape, TMat>);
}
