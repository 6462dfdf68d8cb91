namespace Pipelines.Configuration.Values;

/// <summary>
/// A node of a configuration tree: an object, array, string, number, boolean or null, with the position it was read from.
/// </summary>
/// <remarks>Values are immutable once parsed; the library's own unresolved nodes (substitutions) never leave a resolved <see cref="HoconConfig"/>.</remarks>
internal abstract class HoconValue
{
    private protected HoconValue(HoconPosition position) => Position = position;

    /// <summary>Where the value was read from.</summary>
    public HoconPosition Position { get; }

    /// <summary>The kind of value.</summary>
    public abstract HoconValueType Type { get; }

    /// <summary>True for substitutions, concatenations containing them and merges waiting on them.</summary>
    internal virtual bool IsUnresolved => false;

    /// <summary>
    /// The text of a string, number, boolean or null as value concatenation and string getters see it;
    /// <see langword="null"/> for objects and arrays.
    /// </summary>
    internal virtual string? ScalarText => null;

    /// <summary>Renders the value as HOCON text.</summary>
    public override string ToString() => Rendering.HoconRenderer.Render(this, json: false);
}
