namespace Pipelines.Configuration.Values;

/// <summary>The kind of a resolved configuration value.</summary>
internal enum HoconValueType
{
    /// <summary>An object: ordered fields, each a key and a value.</summary>
    Object,

    /// <summary>An array of values.</summary>
    Array,

    /// <summary>A string, quoted or not.</summary>
    String,

    /// <summary>A number, integer or floating point.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary><c>null</c>.</summary>
    Null,
}
