using Pipelines.Configuration.Parsing;

namespace Pipelines.Configuration.Values;

/// <summary>
/// <c>${path}</c> or <c>${?path}</c>, replaced by the value at <see cref="Path"/> when the whole configuration is resolved.
/// </summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(HoconPath path, bool optional, int prefixLength, HoconPosition position)
        : base(position)
    {
        Path = path;
        Optional = optional;
        PrefixLength = prefixLength;
    }

    /// <summary>The path looked up, including the prefix of the object an included file was included into.</summary>
    public HoconPath Path { get; }

    /// <summary><c>${?…}</c>: an undefined path removes the field instead of being an error.</summary>
    public bool Optional { get; }

    /// <summary>
    /// How many leading elements of <see cref="Path"/> come from an include location; when the full path is
    /// not found the path without them is tried (the spec's rule for substitutions in included files).
    /// </summary>
    public int PrefixLength { get; }

    public override HoconValueType Type => throw new InvalidOperationException("An unresolved substitution has no type; resolve the configuration first.");

    internal override bool IsUnresolved => true;

    public override string ToString() => (Optional ? "${?" : "${") + Path.Render() + "}";
}
