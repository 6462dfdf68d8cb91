namespace Pipelines.Configuration.Values;

/// <summary>A <c>true</c> or <c>false</c> value.</summary>
internal sealed class HoconBoolean : HoconValue
{
    /// <summary>Creates a boolean value.</summary>
    internal HoconBoolean(bool value, HoconPosition position)
        : base(position) => Value = value;

    /// <summary>The boolean.</summary>
    public bool Value { get; }

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.Boolean;

    internal override string ScalarText => Value ? "true" : "false";
}
