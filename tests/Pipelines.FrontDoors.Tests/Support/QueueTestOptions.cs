using Pipelines.FrontDoors.Queue;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>Queue options for tests: the test cluster, a new group, from the first offset, short fetch waits and commit intervals.</summary>
internal static class QueueTestOptions
{
    public static KafkaQueueOptions For(KafkaClusterFixture kafka, string topic, Action<KafkaQueueOptions>? change = null)
    {
        var options = new KafkaQueueOptions
        {
            Brokers = [kafka.BootstrapServers],
            Group = KafkaClusterFixture.NewGroupId(),
            Topics = [topic],
            Offset = KafkaQueueOffset.First,
            MinBytes = 1,
            MaxWait = TimeSpan.FromMilliseconds(20),
            CommitInterval = TimeSpan.FromMilliseconds(100),
        };
        options.KafkaClients["session.timeout.ms"] = "6000";
        options.KafkaClients["heartbeat.interval.ms"] = "500";
        change?.Invoke(options);
        return options;
    }
}
