using System.Buffers.Binary;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>The Java client's murmur2 (<c>org.apache.kafka.common.utils.Utils.murmur2</c>) and its partition rule.</summary>
internal static class Murmur2Hash
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;

    /// <summary>Hashes <paramref name="data"/> as the Java client does; the result is the Java <c>int</c>.</summary>
    public static int Compute(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= M;
            k ^= k >> 24;
            k *= M;
            h *= M;
            h ^= k;
        }

        // The tail falls through from three bytes to one, as in the reference.
        var tail = blocks * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }

    /// <summary>The Java client's partition for a key: <c>Utils.toPositive(murmur2(key)) % partitionCount</c>.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount) => (Compute(key) & 0x7fffffff) % partitionCount;
}
