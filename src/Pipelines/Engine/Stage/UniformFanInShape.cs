namespace Pipelines.Engine.Stage;

/// <summary>The shape of a fan-in stage: <c>n</c> inlets of one type and one outlet (Merge, Concat, …).</summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
public sealed class UniformFanInShape<TIn, TOut> : Shape
{
    /// <summary>Creates a fan-in shape from its ports.</summary>
    public UniformFanInShape(Outlet<TOut> outlet, IReadOnlyList<Inlet<TIn>> inlets)
    {
        ArgumentNullException.ThrowIfNull(outlet);
        ArgumentNullException.ThrowIfNull(inlets);
        Out = outlet;
        In = [.. inlets];
        Inlets = [.. In];
        Outlets = [outlet];
        AssignIds(Inlets, Outlets);
    }

    /// <summary>Creates a fan-in shape with <paramref name="inputCount"/> fresh inlets named <c>{name}.in{i}</c>.</summary>
    public UniformFanInShape(int inputCount, string name = "FanIn")
        : this(new Outlet<TOut>(name + ".out"), CreateInlets(inputCount, name))
    {
    }

    /// <summary>The output port.</summary>
    public Outlet<TOut> Out { get; }

    /// <summary>The input ports, in order.</summary>
    public IReadOnlyList<Inlet<TIn>> In { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets { get; }

    /// <inheritdoc />
    public override Shape DeepCopy() =>
        new UniformFanInShape<TIn, TOut>(new Outlet<TOut>(Out.Name), [.. In.Select(i => new Inlet<TIn>(i.Name))]);

    private static Inlet<TIn>[] CreateInlets(int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var inlets = new Inlet<TIn>[count];
        for (var i = 0; i < count; i++)
        {
            inlets[i] = new Inlet<TIn>($"{name}.in{i}");
        }

        return inlets;
    }
}
