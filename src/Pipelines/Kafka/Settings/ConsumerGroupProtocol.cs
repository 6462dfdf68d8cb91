using System.Collections.Immutable;
using Pipelines.Configuration;

namespace Pipelines.Kafka;

/// <summary>
/// The consumer group protocol of a consumer's properties: <c>classic</c> (librdkafka's default) or <c>consumer</c>
/// (KIP-848, where the broker assigns partitions and sets the session timeout and heartbeat interval).
/// </summary>
/// <remarks>
/// librdkafka refuses to create a consumer on the <c>consumer</c> protocol that sets one of the classic protocol's
/// properties. The reference configuration sets <c>partition.assignment.strategy</c> for the classic protocol, so that
/// default is not sent; any other classic-only property is the user's and is reported as a settings problem, with
/// what replaces it, instead of surfacing later as librdkafka's error when the source starts.
/// </remarks>
internal static class ConsumerGroupProtocol
{
    /// <summary>The property choosing the protocol.</summary>
    public const string Property = "group.protocol";

    /// <summary>The assignment strategy property of the classic protocol.</summary>
    public const string AssignmentStrategy = "partition.assignment.strategy";

    // What each classic-only property becomes on the consumer protocol, for the problem's advice.
    private static readonly (string Key, string Instead)[] ClassicOnly =
    [
        (AssignmentStrategy, "the broker assigns partitions; choose its assignor with group.remote.assignor (uniform or range), or leave it to the broker"),
        ("session.timeout.ms", "the broker sets it (group.consumer.session.timeout.ms)"),
        ("heartbeat.interval.ms", "the broker sets it (group.consumer.heartbeat.interval.ms)"),
        ("group.protocol.type", "the consumer protocol has no protocol type"),
    ];

    private static readonly Lazy<string?> ReferenceAssignmentStrategy = new(() =>
        SettingsReader.Open(PipelinesConfiguration.Reference(), "akka.kafka.consumer").Properties("kafka-clients").GetValueOrDefault(AssignmentStrategy));

    /// <summary>Whether <paramref name="properties"/> choose the consumer protocol (librdkafka compares case-insensitively).</summary>
    public static bool IsConsumer(IReadOnlyDictionary<string, string> properties) =>
        properties.TryGetValue(Property, out var protocol) && string.Equals(protocol.Trim(), "consumer", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The properties the client is given: <paramref name="properties"/> as they are on the classic protocol; on the
    /// consumer protocol without the reference's assignment strategy, each other classic-only property added to
    /// <paramref name="problems"/>.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> ClientProperties(ImmutableSortedDictionary<string, string> properties, SettingsProblems problems)
    {
        if (!IsConsumer(properties))
        {
            return properties;
        }

        var result = properties;
        foreach (var (key, instead) in ClassicOnly)
        {
            if (!properties.TryGetValue(key, out var value))
            {
                continue;
            }

            if (key == AssignmentStrategy && string.Equals(value, ReferenceAssignmentStrategy.Value, StringComparison.Ordinal))
            {
                result = result.Remove(key);
                continue;
            }

            problems.Check(false, $"kafka-clients.{key}", $"is not supported with group.protocol = consumer (KIP-848): {instead}; remove it, or use group.protocol = classic");
        }

        return result;
    }
}
