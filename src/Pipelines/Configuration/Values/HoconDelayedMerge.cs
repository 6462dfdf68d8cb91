namespace Pipelines.Configuration.Values;

/// <summary>
/// Values assigned to one key that cannot be merged before resolution because some are substitutions
/// (which may turn out to be objects). The stack runs from the earliest (fallback) value to the latest.
/// </summary>
/// <remarks>
/// Resolution walks the stack from the bottom; while an element is resolved, lookups of this key see
/// only what is below it, which is what makes <c>path = ${path}":/bin"</c> refer to the earlier value.
/// </remarks>
internal sealed class HoconDelayedMerge : HoconValue
{
    private HoconDelayedMerge(HoconValue[] stack)
        : base(stack[^1].Position) => Stack = stack;

    public HoconValue[] Stack { get; }

    public override HoconValueType Type => throw new InvalidOperationException("An unresolved merge has no type; resolve the configuration first.");

    internal override bool IsUnresolved => true;

    public static HoconDelayedMerge Create(HoconValue bottom, HoconValue top)
    {
        var lower = bottom is HoconDelayedMerge b ? b.Stack : [bottom];
        var upper = top is HoconDelayedMerge t ? t.Stack : [top];
        var stack = new HoconValue[lower.Length + upper.Length];
        lower.CopyTo(stack, 0);
        upper.CopyTo(stack, lower.Length);
        return new HoconDelayedMerge(stack);
    }
}
