using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Hosting.Tests.Support;

/// <summary>Configuration and a graph for pipelines on the embedded Kafka cluster.</summary>
public static class KafkaPipelines
{
    /// <summary>
    /// HOCON for the cluster: fast client timeouts, statistics every 100 ms (for lag), small commit batches, short restart
    /// backoffs, then <paramref name="extra"/>.
    /// </summary>
    public static string Config(KafkaClusterFixture kafka, string extra) => $$"""
        akka.loglevel = INFO
        akka.kafka.consumer {
          stop-timeout = 0s
          kafka-clients {
            bootstrap.servers = "{{kafka.BootstrapServers}}"
            auto.offset.reset = earliest
            session.timeout.ms = 6000
            heartbeat.interval.ms = 500
            fetch.wait.max.ms = 50
            topic.metadata.refresh.interval.ms = 1000
            statistics.interval.ms = 100
          }
        }
        akka.kafka.committer { max-batch = 100, max-interval = 200ms }
        pipelines.hosting.restart { min-backoff = 100ms, max-backoff = 500ms, random-factor = 0 }
        {{extra}}
        """;

    /// <summary>
    /// Reads <c>topic</c> and <c>group</c> from the pipeline's section, runs <paramref name="process"/> on each record with
    /// <c>parallelism</c> calls in flight, and commits the offsets of the records processed.
    /// </summary>
    public static IRunnableGraph<DrainingControl<Done>> Committing(
        ActorSystem system, PipelineSettings settings, Func<Confluent.Kafka.ConsumeResult<string, string>, Task> process)
    {
        var consumer = ConsumerSettings<string, string>.Create(system, null, null).WithGroupId(settings.GetString("group"));
        return KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(settings.GetString("topic")))
            .SelectAsync(settings.GetInt("parallelism", 1), async message =>
            {
                await process(message.Record).ConfigureAwait(false);
                return message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(CommitterSettings.Create(system)), DrainingControl<Done>.Create);
    }

    /// <summary>Counts how often each record (partition, offset) was processed.</summary>
    public sealed class Ledger
    {
        private readonly ConcurrentDictionary<(int Partition, long Offset), int> _counts = new();

        public int Distinct => _counts.Count;

        public int Duplicates => _counts.Values.Sum(c => c - 1);

        public void Record(Confluent.Kafka.ConsumeResult<string, string> record) =>
            _counts.AddOrUpdate((record.Partition.Value, record.Offset.Value), 1, static (_, c) => c + 1);

        public IReadOnlyDictionary<(int Partition, long Offset), int> Snapshot() => new Dictionary<(int, long), int>(_counts);
    }
}
