using System.Runtime.InteropServices;

namespace Pipelines.Kafka;

/// <summary>A long on a cache line of its own, so a writer and a reader on two cores do not invalidate each other's fields.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
