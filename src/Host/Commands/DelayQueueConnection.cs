using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Delay;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// The delay queue of the cluster a command talks to: <c>pipelines.delay</c> from the loaded configuration, the
/// producer settings of <c>akka.kafka.producer</c> with the chosen bootstrap servers, and topic creation through the
/// control of an embedded cluster run by <c>pipelines broker</c> (which does not answer the admin API's CreateTopics).
/// </summary>
internal static class DelayQueueConnection
{
    /// <summary>Opens the queue; dispose it to flush and close its clients.</summary>
    public static async Task<DelayQueue> OpenAsync(KafkaConnection connection, CancellationToken cancellationToken)
    {
        var settings = DelaySettings.Create(connection.Config);
        var producer = ProducerSettings<byte[], byte[]>.Create(connection.Config, null, null)
            .WithBootstrapServers(connection.ProducerSettings().BootstrapServers!);
        var embedded = await EmbeddedClusterClient.FindAsync(connection.Servers, cancellationToken).ConfigureAwait(false);
        var options = new DelayQueueOptions
        {
            Logger = connection.Log,
            AdminTimeout = connection.Timeout,
            CatchUpTimeout = connection.Timeout,
            TopicCreator = embedded is null ? null : new ControlTopicCreator(connection, embedded),
        };
        return new DelayQueue(settings, producer, options);
    }

    /// <summary>The error for a delay queue that failed: what it was doing and the queue's reason.</summary>
    public static CommandException Failed(string doing, Exception e) => new($"{doing} failed: {e.Message}");

    /// <summary>Creates missing topics through an embedded cluster's control socket (partitions and replicas as specified, no configs).</summary>
    private sealed class ControlTopicCreator(KafkaConnection connection, EmbeddedClusterClient control) : IDelayTopicCreator
    {
        public async Task<IReadOnlyList<string>> CreateMissingAsync(IReadOnlyList<TopicSpecification> topics, CancellationToken cancellationToken)
        {
            using var admin = connection.CreateAdmin();
            var existing = admin.ListTopics(connection.Timeout).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var created = new List<string>();
            foreach (var spec in topics.Where(s => existing.Add(s.Name)))
            {
                var refusal = await control.CreateTopicAsync(spec.Name, spec.NumPartitions, spec.ReplicationFactor, connection.Timeout, cancellationToken).ConfigureAwait(false);
                if (refusal is not null && !refusal.Contains("already exists", StringComparison.OrdinalIgnoreCase))
                {
                    throw new KafkaException(new Error(ErrorCode.Local_Fail, $"creating topic \"{spec.Name}\" failed: {refusal}"));
                }

                if (refusal is null)
                {
                    created.Add(spec.Name);
                }
            }

            return created;
        }

        public void Dispose()
        {
        }
    }
}
