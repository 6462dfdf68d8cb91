using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// A blueprint made of child modules, internal edges between their ports (by position), the ports it exposes (its
/// shape's inlets and outlets map to children's ports in order) and how its materialized value is computed.
/// </summary>
internal sealed class CompositeModule : Module
{
    public CompositeModule(
        Shape shape,
        Module[] children,
        (PortRef From, PortRef To)[] edges,
        PortRef[] exposedInlets,
        PortRef[] exposedOutlets,
        MatNode mat,
        Attributes attributes)
    {
        if (exposedInlets.Length != shape.Inlets.Count || exposedOutlets.Length != shape.Outlets.Count)
        {
            throw new ArgumentException("A composite must map every port of its shape to a child's port.", nameof(shape));
        }

        Shape = shape;
        Children = children;
        Edges = edges;
        ExposedInlets = exposedInlets;
        ExposedOutlets = exposedOutlets;
        Mat = mat;
        Attributes = attributes;
    }

    public override Shape Shape { get; }

    public Module[] Children { get; }

    public (PortRef From, PortRef To)[] Edges { get; }

    public PortRef[] ExposedInlets { get; }

    public PortRef[] ExposedOutlets { get; }

    public MatNode Mat { get; }

    public override Attributes Attributes { get; }

    public override Module WithAttributes(Attributes attributes) =>
        new CompositeModule(Shape, Children, Edges, ExposedInlets, ExposedOutlets, Mat, attributes);

    /// <summary>Wraps <paramref name="inner"/> so attributes can be added without touching it.</summary>
    public static CompositeModule Wrap(Module inner, Attributes attributes) =>
        new(
            inner.Shape,
            [inner],
            [],
            [.. Enumerable.Range(0, inner.Shape.Inlets.Count).Select(i => new PortRef(0, i))],
            [.. Enumerable.Range(0, inner.Shape.Outlets.Count).Select(i => new PortRef(0, i))],
            MatNode.Child(0),
            attributes);

    /// <summary>
    /// Connects outlet 0 of <paramref name="upstream"/> to inlet 0 of <paramref name="downstream"/>; the result exposes
    /// upstream's inlets then downstream's outlets (a linear Via/To).
    /// </summary>
    public static CompositeModule Linear(Module upstream, Module downstream, Shape shape, Func<object?, object?, object?> combine) =>
        new(
            shape,
            [upstream, downstream],
            [(new PortRef(0, 0), new PortRef(1, 0))],
            [.. Enumerable.Range(0, upstream.Shape.Inlets.Count).Select(i => new PortRef(0, i))],
            [.. Enumerable.Range(0, downstream.Shape.Outlets.Count).Select(i => new PortRef(1, i))],
            MatNode.Combine(MatNode.Child(0), MatNode.Child(1), combine),
            Attributes.None);

    public override string ToString() => Attributes.NameOrDefault("composite");
}
