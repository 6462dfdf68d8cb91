namespace Pipelines.Configuration.Values;

/// <summary>A number, kept with the text it was written as (so <c>1.0</c> concatenates and renders as <c>1.0</c>).</summary>
internal sealed class HoconNumber : HoconValue
{
    private readonly long _integer;

    internal HoconNumber(string text, long value, HoconPosition position)
        : base(position)
    {
        Text = text;
        _integer = value;
        DoubleValue = value;
        IsInteger = true;
    }

    internal HoconNumber(string text, double value, HoconPosition position)
        : base(position)
    {
        Text = text;
        DoubleValue = value;
        IsInteger = false;
    }

    /// <summary>The number as written in the source, e.g. <c>1.50</c> or <c>-3</c>.</summary>
    public string Text { get; }

    /// <summary>True when the number was written without a decimal point or exponent and fits a 64-bit integer.</summary>
    public bool IsInteger { get; }

    /// <summary>The value as a double.</summary>
    public double DoubleValue { get; }

    /// <summary>The value as a 64-bit integer; for a floating-point number, the value truncated toward zero.</summary>
    public long Int64Value => IsInteger ? _integer : (long)DoubleValue;

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.Number;

    internal override string ScalarText => Text;
}
