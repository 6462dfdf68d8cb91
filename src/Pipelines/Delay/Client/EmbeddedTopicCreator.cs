using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Delay;

/// <summary>
/// Creates missing topics on an <see cref="EmbeddedKafkaCluster"/>, which does not answer the admin API's CreateTopics
/// request: partitions and replicas as specified (-1 replicas: as many as the cluster gives topics it creates itself),
/// configs dropped (the embedded cluster keeps none).
/// </summary>
internal sealed class EmbeddedTopicCreator : IDelayTopicCreator
{
    private readonly EmbeddedKafkaCluster _cluster;
    private readonly KafkaAdmin _admin;
    private readonly TimeSpan _timeout;

    public EmbeddedTopicCreator(EmbeddedKafkaCluster cluster, TimeSpan timeout)
    {
        _cluster = cluster;
        _admin = new KafkaAdmin(cluster.BootstrapServers);
        _timeout = timeout;
    }

    public Task<IReadOnlyList<string>> CreateMissingAsync(IReadOnlyList<TopicSpecification> topics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var existing = _admin.ListTopics(_timeout).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var created = new List<string>();
        foreach (var spec in topics.Where(s => existing.Add(s.Name)))
        {
            var replicas = spec.ReplicationFactor < 1 ? Math.Min(3, _cluster.BrokerCount) : spec.ReplicationFactor;
            try
            {
                _cluster.CreateTopic(spec.Name, spec.NumPartitions, replicas);
                created.Add(spec.Name);
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.TopicAlreadyExists)
            {
                // Created meanwhile by another client (or by a producer's metadata request): it exists, which is all we need.
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(created);
    }

    public void Dispose() => _admin.Dispose();
}
