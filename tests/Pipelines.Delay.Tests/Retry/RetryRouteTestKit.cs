using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Configuration;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Delay.Tests.Retry;

/// <summary>A retry route's surroundings for tests: unique topics and group, a delay queue, a dead-letter producer, settings.</summary>
internal sealed class RetryRouteTestKit : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private RetryRouteTestKit(KafkaClusterFixture kafka, string group, string topic, RetrySettings settings, TimeProvider time, DelaySettings delay)
    {
        Kafka = kafka;
        Group = group;
        Topic = topic;
        Settings = settings;
        Time = time;
        DelaySettings = delay;
        Producer = KafkaProducer.CreateProducer(DelayQueueTestKit.ProducerSettings(kafka));
        Queue = DelayQueueTestKit.Queue(kafka, delay, time);
        Policy = new RetryPolicy(settings, time, () => 0.5);
    }

    public KafkaClusterFixture Kafka { get; }

    public string Group { get; }

    public string Topic { get; }

    public RetrySettings Settings { get; }

    public TimeProvider Time { get; }

    public DelaySettings DelaySettings { get; }

    public IProducer<byte[], byte[]> Producer { get; }

    public DelayQueue Queue { get; }

    public RetryPolicy Policy { get; }

    public RetryMetrics Metrics { get; } = new();

    public string RetryTopic => Settings.RetryTopic(Group);

    public string DeadLetterTopic => Settings.DeadLetterTopic(Group);

    /// <summary>Creates the source topic, the group's retry and dead-letter topics (with the source's partitions) and the kit.</summary>
    public static async Task<RetryRouteTestKit> CreateAsync(
        KafkaClusterFixture kafka, RetrySettings settings, TimeProvider time, int partitions = 1, [CallerMemberName] string testName = "")
    {
        var topic = await kafka.CreateTopicAsync(partitions, CancellationToken.None, testName);
        var group = KafkaClusterFixture.NewGroupId(testName);
        await CreateTopicAsync(kafka, settings.RetryTopic(group), partitions);
        await CreateTopicAsync(kafka, settings.DeadLetterTopic(group), partitions);
        // One tier: every retry is stored in the same topic, whatever its delay.
        var delay = DelayQueueTestKit.UniqueSettings(testName).WithTiers([TimeSpan.FromSeconds(1)]);
        return new RetryRouteTestKit(kafka, group, topic, settings, time, delay);
    }

    public static async Task CreateTopicAsync(KafkaClusterFixture kafka, string name, int partitions)
    {
        if (kafka.Embedded is { } embedded)
        {
            embedded.CreateTopic(name, partitions);
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }]);
    }

    public RetryRouteOptions Options() => new()
    {
        ConsumerGroup = Group,
        Policy = Policy,
        DelayQueue = Queue,
        Producer = Producer,
        Metrics = Metrics,
    };

    public RetryRoute<string, string> Route(Func<ConsumeResult<string, string>, CancellationToken, Task> handler) =>
        new(Options(), Deserializers.Utf8, Deserializers.Utf8, handler);

    public ConsumerSettings<byte[], byte[]> ConsumerSettings() =>
        ConsumerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers(Kafka.BootstrapServers)
            .WithGroupId(Group)
            .WithProperties(new Dictionary<string, string>
            {
                ["auto.offset.reset"] = "earliest",
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "500",
                ["fetch.wait.max.ms"] = "50",
                ["topic.metadata.refresh.interval.ms"] = "1000",
            })
            .WithStopTimeout(TimeSpan.Zero);

    public static CommitterSettings Committer() => CommitterSettings.Default.WithMaxBatch(10).WithMaxInterval(TimeSpan.FromMilliseconds(100));

    /// <summary>The sum of the group's committed offsets on <paramref name="topic"/> (partitions with none count 0).</summary>
    public async Task<long> CommittedAsync(string topic) =>
        (await Kafka.GetCommittedOffsetsAsync(Group, topic)).Sum(p => Math.Max(0, p.Offset.Value));

    public Task<IReadOnlyList<ConsumeResult<byte[], byte[]>>> ReadAllAsync(string topic, int expected) =>
        Kafka.ConsumeAllAsync<byte[], byte[]>(topic, expected, Patience);

    public async ValueTask DisposeAsync()
    {
        await Queue.DisposeAsync();
        Producer.Flush(TimeSpan.FromSeconds(5));
        Producer.Dispose();
    }
}
