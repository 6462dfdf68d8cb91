namespace Pipelines.Engine.Implementation;

/// <summary>Gives the engine access to the module tree behind a public graph type.</summary>
internal interface IModuleGraph
{
    Module Module { get; }
}
