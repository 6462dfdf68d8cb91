using System.Collections.Concurrent;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>The partition that has received the fewest key and value bytes from this producer; the lowest on a tie.</summary>
internal sealed class LeastBytesBalancer : Balancer
{
    private readonly ConcurrentDictionary<string, Counts> _topics = new(StringComparer.Ordinal);

    public LeastBytesBalancer()
        : base("least-bytes")
    {
    }

    internal override bool ChoosesBeforeSend => true;

    internal override int Choose(string topic, int partitionCount, byte[]? key, byte[]? value)
    {
        var counts = _topics.GetOrAdd(topic, static _ => new Counts());
        var size = (long)(key?.Length ?? 0) + (value?.Length ?? 0);
        lock (counts)
        {
            if (counts.Bytes.Length != partitionCount)
            {
                // Partitions were added (or the count was first learnt): new ones start empty and so are chosen first.
                var resized = new long[partitionCount];
                Array.Copy(counts.Bytes, resized, Math.Min(partitionCount, counts.Bytes.Length));
                counts.Bytes = resized;
            }

            var least = 0;
            for (var p = 1; p < partitionCount; p++)
            {
                if (counts.Bytes[p] < counts.Bytes[least])
                {
                    least = p;
                }
            }

            counts.Bytes[least] += size;
            return least;
        }
    }

    internal override Balancer ForProducer() => new LeastBytesBalancer();

    /// <summary>The bytes sent to each partition of one topic.</summary>
    private sealed class Counts
    {
        public long[] Bytes { get; set; } = [];
    }
}
