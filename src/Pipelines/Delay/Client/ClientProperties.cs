namespace Pipelines.Delay;

/// <summary>
/// Picks from a producer's librdkafka properties those that say how to reach and authenticate to the cluster, for the
/// delay queue's admin client and cancellation reader; producer tuning (acks, linger, idempotence) stays with the producer.
/// </summary>
internal static class ClientProperties
{
    private static readonly string[] ExactNames =
    [
        "bootstrap.servers", "security.protocol", "client.id", "client.dns.lookup", "client.rack",
        "metadata.max.age.ms", "topic.metadata.refresh.interval.ms", "broker.version.fallback", "api.version.request",
        "enable.ssl.certificate.verification", "debug",
    ];

    private static readonly string[] Prefixes = ["ssl.", "ssl_", "sasl.", "socket.", "broker.address.", "reconnect.backoff", "api.version.", "connections."];

    /// <summary>The connection and security properties of <paramref name="properties"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Connection(IEnumerable<KeyValuePair<string, string>> properties) =>
        properties.Where(p => ExactNames.Contains(p.Key, StringComparer.Ordinal) || Prefixes.Any(prefix => p.Key.StartsWith(prefix, StringComparison.Ordinal)));
}
