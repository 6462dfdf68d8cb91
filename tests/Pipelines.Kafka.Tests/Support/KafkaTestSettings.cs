using Pipelines.Configuration;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>Consumer and committer settings for tests: the fixture's cluster, earliest reset and fast client timeouts.</summary>
public static class KafkaTestSettings
{
    public static ConsumerSettings<string, string> Consumer(KafkaClusterFixture kafka, string groupId) =>
        Consumer<string, string>(kafka, groupId, null, null);

    public static ConsumerSettings<TKey, TValue> Consumer<TKey, TValue>(
        KafkaClusterFixture kafka, string groupId, Confluent.Kafka.IDeserializer<TKey>? keys, Confluent.Kafka.IDeserializer<TValue>? values) =>
        ConsumerSettings<TKey, TValue>.Create(PipelinesConfiguration.Reference(), keys, values)
            .WithBootstrapServers(kafka.BootstrapServers)
            .WithGroupId(groupId)
            .WithProperties(new Dictionary<string, string>
            {
                ["auto.offset.reset"] = "earliest",
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "500",
                ["fetch.wait.max.ms"] = "50",
                ["topic.metadata.refresh.interval.ms"] = "1000",
            })
            .WithStopTimeout(TimeSpan.Zero);

    /// <summary>
    /// Consumer settings on the KIP-848 consumer group protocol: as <see cref="Consumer(KafkaClusterFixture, string)"/>
    /// without the classic protocol's session timeout and heartbeat interval (the broker sets them).
    /// </summary>
    public static ConsumerSettings<string, string> ConsumerOnConsumerProtocol(KafkaClusterFixture kafka, string groupId) =>
        ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers(kafka.BootstrapServers)
            .WithGroupId(groupId)
            .WithProperties(new Dictionary<string, string>
            {
                ["group.protocol"] = "consumer",
                ["auto.offset.reset"] = "earliest",
                ["fetch.wait.max.ms"] = "50",
                ["topic.metadata.refresh.interval.ms"] = "1000",
            })
            .WithStopTimeout(TimeSpan.Zero);

    public static CommitterSettings Committer(int maxBatch = 100) =>
        CommitterSettings.Default.WithMaxBatch(maxBatch).WithMaxInterval(TimeSpan.FromMilliseconds(200));
}
