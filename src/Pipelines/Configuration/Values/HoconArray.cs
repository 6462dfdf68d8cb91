using System.Collections;

namespace Pipelines.Configuration.Values;

/// <summary>An array of values.</summary>
public sealed class HoconArray : HoconValue, IReadOnlyList<HoconValue>
{
    private readonly HoconValue[] _items;

    /// <summary>Creates an array holding <paramref name="items"/>.</summary>
    public HoconArray(IEnumerable<HoconValue> items, HoconPosition position)
        : base(position)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = [.. items];
    }

    internal HoconArray(HoconValue[] items, HoconPosition position)
        : base(position) => _items = items;

    /// <inheritdoc/>
    public override HoconValueType Type => HoconValueType.Array;

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public HoconValue this[int index] => _items[index];

    /// <inheritdoc/>
    public IEnumerator<HoconValue> GetEnumerator() => ((IEnumerable<HoconValue>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal HoconValue[] Items => _items;
}
