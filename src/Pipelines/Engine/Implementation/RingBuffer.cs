namespace Pipelines.Engine.Implementation;

/// <summary>A fixed-capacity double-ended queue for buffering stages (single-threaded: owned by one stage).</summary>
internal sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private int _head;

    public RingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _items = new T[Math.Max(1, capacity)];
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsEmpty => Count == 0;

    public bool IsFull => Count >= Capacity;

    public T PeekFront() => Count > 0 ? _items[_head] : throw new InvalidOperationException("The buffer is empty.");

    public void PushBack(T item)
    {
        if (Count >= _items.Length || Count >= Capacity)
        {
            throw new InvalidOperationException("The buffer is full.");
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public T PopFront()
    {
        var item = PeekFront();
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    public T PopBack()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The buffer is empty.");
        }

        var index = (_head + Count - 1) % _items.Length;
        var item = _items[index];
        _items[index] = default!;
        Count--;
        return item;
    }

    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }
}
