using System.Runtime.CompilerServices;

namespace Pipelines.Streams.Implementation;

/// <summary>A connection carrying elements of type <typeparamref name="T"/> in a typed slot (no boxing).</summary>
internal sealed class Connection<T> : Connection
{
    public T Element = default!;

    public override void ClearElement()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Element = default!;
        }
    }
}
