namespace Pipelines.Configuration.Values;

/// <summary>A string value (quoted, unquoted, triple-quoted or the result of a string concatenation).</summary>
internal sealed class HoconString : HoconValue
{
    /// <summary>Creates a string value.</summary>
    internal HoconString(string value, HoconPosition position)
        : base(position)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    private HoconString(string value, HoconPosition position, bool isWhitespace)
        : base(position)
    {
        Value = value;
        IsConcatenationWhitespace = isWhitespace;
    }

    /// <summary>The string.</summary>
    public string Value { get; }

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.String;

    /// <summary>
    /// True for the whitespace kept between two simple values of a concatenation; next to an object or
    /// array such whitespace is dropped instead of making the concatenation an error.
    /// </summary>
    internal bool IsConcatenationWhitespace { get; }

    internal override string ScalarText => Value;

    internal static HoconString Whitespace(string text, HoconPosition position) => new(text, position, isWhitespace: true);
}
