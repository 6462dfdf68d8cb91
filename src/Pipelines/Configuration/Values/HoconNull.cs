namespace Pipelines.Configuration.Values;

/// <summary>A <c>null</c> value: the key exists, but getters treat it as missing.</summary>
internal sealed class HoconNull : HoconValue
{
    /// <summary>Creates a null value read at <paramref name="position"/>.</summary>
    internal HoconNull(HoconPosition position)
        : base(position)
    {
    }

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.Null;

    internal override string ScalarText => "null";
}
