using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Pipelines.Configuration.Values;

/// <summary>An object: fields in the order they were first defined, each key mapping to a value.</summary>
internal sealed class HoconObject : HoconValue, IReadOnlyDictionary<string, HoconValue>
{
    private readonly OrderedDictionary<string, HoconValue> _fields;

    /// <summary>Creates an empty object.</summary>
    internal HoconObject(HoconPosition position)
        : this(new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal), position)
    {
    }

    internal HoconObject(OrderedDictionary<string, HoconValue> fields, HoconPosition position)
        : base(position) => _fields = fields;

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.Object;

    /// <inheritdoc/>
    public int Count => _fields.Count;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _fields.Keys;

    /// <inheritdoc/>
    public IEnumerable<HoconValue> Values => _fields.Values;

    /// <inheritdoc/>
    public HoconValue this[string key] => _fields[key];

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _fields.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) => _fields.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, HoconValue>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The fields, for code in this library that builds new objects from this one.</summary>
    internal OrderedDictionary<string, HoconValue> Fields => _fields;

    /// <summary>Sets a field while the object is still being built (by the parser or a merge); never after it is shared.</summary>
    internal void SetField(string key, HoconValue value) => _fields[key] = value;

    internal void RemoveField(string key) => _fields.Remove(key);

    internal static HoconObject Single(string key, HoconValue value, HoconPosition position)
    {
        var fields = new OrderedDictionary<string, HoconValue>(1, StringComparer.Ordinal) { [key] = value };
        return new HoconObject(fields, position);
    }
}
