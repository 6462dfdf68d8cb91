namespace Pipelines.Kafka;

/// <summary>
/// Names of consumer actors, unique in the process whatever the key and value types: a counter in a generic type would be
/// one counter per type pair, and two sources of different types could then ask for the same actor name.
/// </summary>
internal static class ConsumerActorNames
{
    private static int _count;

    public static string Next() => $"kafka-consumer-{Interlocked.Increment(ref _count)}";
}
