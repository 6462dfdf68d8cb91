namespace Pipelines.Engine.Implementation;

/// <summary>A port of a composite's child, by position: the child's index and the port's index in its shape.</summary>
internal readonly record struct PortRef(int Child, int Port);
