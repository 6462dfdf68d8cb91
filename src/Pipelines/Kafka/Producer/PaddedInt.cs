using System.Runtime.InteropServices;

namespace Pipelines.Kafka;

/// <summary>An int on a cache line of its own, so a producer and a consumer on two cores do not invalidate each other's counters.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedInt
{
    [FieldOffset(64)]
    public int Value;
}
