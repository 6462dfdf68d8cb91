using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Pipelines.FrontDoors.Balancers;

/// <summary>Each topic's partitions in turn, starting at 0; one counter per topic and producer.</summary>
internal sealed class RoundRobinBalancer : Balancer
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _next = new(StringComparer.Ordinal);

    public RoundRobinBalancer()
        : base("round-robin")
    {
    }

    internal override bool ChoosesBeforeSend => true;

    internal override int Choose(string topic, int partitionCount, byte[]? key, byte[]? value)
    {
        var counter = _next.GetOrAdd(topic, static _ => new StrongBox<int>(-1));
        var turn = (uint)Interlocked.Increment(ref counter.Value);
        return (int)(turn % (uint)partitionCount);
    }

    internal override Balancer ForProducer() => new RoundRobinBalancer();
}
