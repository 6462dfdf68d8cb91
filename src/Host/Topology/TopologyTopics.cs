using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Host.Commands;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Host.Topology;

/// <summary>
/// Creates the topology's missing topics before its pipelines start: on the main job's own embedded cluster directly, on
/// an embedded cluster of <c>pipelines broker</c> through its control socket (it does not answer CreateTopics), else with
/// the admin API. Existing topics are left as they are; a topic another host creates at the same time counts as existing.
/// </summary>
internal static class TopologyTopics
{
    public static async Task<IReadOnlyList<string>> EnsureAsync(
        IReadOnlyList<TopicSpecification> topics, string bootstrapServers, EmbeddedKafkaCluster? embedded, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (topics.Count == 0)
        {
            return [];
        }

        if (embedded is null && await EmbeddedClusterClient.FindAsync(bootstrapServers, cancellationToken).ConfigureAwait(false) is { } control)
        {
            return await CreateThroughControlAsync(topics, bootstrapServers, control, timeout, cancellationToken).ConfigureAwait(false);
        }

        using var admin = new KafkaAdmin(bootstrapServers);
        if (embedded is null)
        {
            return await admin.CreateTopicsIfMissingAsync(topics, timeout, cancellationToken).ConfigureAwait(false);
        }

        var existing = admin.ListTopics(timeout).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var created = new List<string>();
        foreach (var spec in topics.Where(s => existing.Add(s.Name)))
        {
            try
            {
                embedded.CreateTopic(spec.Name, spec.NumPartitions, spec.ReplicationFactor < 1 ? Math.Min(3, embedded.BrokerCount) : spec.ReplicationFactor);
                created.Add(spec.Name);
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.TopicAlreadyExists)
            {
                // A producer's metadata request created it meanwhile: it exists, which is all that is needed.
            }
        }

        return created;
    }

    private static async Task<IReadOnlyList<string>> CreateThroughControlAsync(
        IReadOnlyList<TopicSpecification> topics, string bootstrapServers, EmbeddedClusterClient control, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var admin = new KafkaAdmin(bootstrapServers);
        var existing = admin.ListTopics(timeout).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var created = new List<string>();
        foreach (var spec in topics.Where(s => existing.Add(s.Name)))
        {
            var refusal = await control.CreateTopicAsync(spec.Name, spec.NumPartitions, spec.ReplicationFactor, timeout, cancellationToken).ConfigureAwait(false);
            if (refusal is null)
            {
                created.Add(spec.Name);
            }
            else if (!refusal.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                throw new CommandException($"creating topic \"{spec.Name}\" on the embedded cluster failed: {refusal}");
            }
        }

        return created;
    }
}
