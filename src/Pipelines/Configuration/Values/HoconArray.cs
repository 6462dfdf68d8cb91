using System.Collections;

namespace Pipelines.Configuration.Values;

/// <summary>An array of values.</summary>
internal sealed class HoconArray : HoconValue, IReadOnlyList<HoconValue>
{
    private readonly HoconValue[] _items;

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
