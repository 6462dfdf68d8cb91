namespace Pipelines.Engine.Stage;

/// <summary>The ports a graph exposes: its open inlets and outlets, in a fixed order.</summary>
public abstract class Shape
{
    /// <summary>The open input ports, in order.</summary>
    public abstract IReadOnlyList<Inlet> Inlets { get; }

    /// <summary>The open output ports, in order.</summary>
    public abstract IReadOnlyList<Outlet> Outlets { get; }

    /// <summary>Creates a shape of the same kind with fresh ports of the same types and names.</summary>
    public abstract Shape DeepCopy();

    // Ports are addressed by their index in the owning stage's shape; shapes of stages assign it.
    private protected static void AssignIds(IReadOnlyList<Inlet> inlets, IReadOnlyList<Outlet> outlets)
    {
        for (var i = 0; i < inlets.Count; i++)
        {
            inlets[i].Id = i;
        }

        for (var i = 0; i < outlets.Count; i++)
        {
            outlets[i].Id = i;
        }
    }
}
