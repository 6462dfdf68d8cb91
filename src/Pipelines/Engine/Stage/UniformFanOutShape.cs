namespace Pipelines.Engine.Stage;

/// <summary>The shape of a fan-out stage: one inlet and <c>n</c> outlets of one type (Broadcast, Partition, …).</summary>
/// <typeparam name="TIn">The type of the consumed elements.</typeparam>
/// <typeparam name="TOut">The type of the emitted elements.</typeparam>
public sealed class UniformFanOutShape<TIn, TOut> : Shape
{
    /// <summary>Creates a fan-out shape from its ports.</summary>
    public UniformFanOutShape(Inlet<TIn> inlet, IReadOnlyList<Outlet<TOut>> outlets)
    {
        ArgumentNullException.ThrowIfNull(inlet);
        ArgumentNullException.ThrowIfNull(outlets);
        In = inlet;
        Out = [.. outlets];
        Inlets = [inlet];
        Outlets = [.. Out];
        AssignIds(Inlets, Outlets);
    }

    /// <summary>Creates a fan-out shape with <paramref name="outputCount"/> fresh outlets named <c>{name}.out{i}</c>.</summary>
    public UniformFanOutShape(int outputCount, string name = "FanOut")
        : this(new Inlet<TIn>(name + ".in"), CreateOutlets(outputCount, name))
    {
    }

    /// <summary>The input port.</summary>
    public Inlet<TIn> In { get; }

    /// <summary>The output ports, in order.</summary>
    public IReadOnlyList<Outlet<TOut>> Out { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Inlet> Inlets { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Outlet> Outlets { get; }

    /// <inheritdoc />
    public override Shape DeepCopy() =>
        new UniformFanOutShape<TIn, TOut>(new Inlet<TIn>(In.Name), [.. Out.Select(o => new Outlet<TOut>(o.Name))]);

    private static Outlet<TOut>[] CreateOutlets(int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var outlets = new Outlet<TOut>[count];
        for (var i = 0; i < count; i++)
        {
            outlets[i] = new Outlet<TOut>($"{name}.out{i}");
        }

        return outlets;
    }
}
