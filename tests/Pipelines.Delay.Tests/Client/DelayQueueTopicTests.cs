using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;
using static Pipelines.Delay.Tests.Client.DelayQueueScheduleTests;
using static Pipelines.Delay.Tests.Client.DelayQueueTestKit;

namespace Pipelines.Delay.Tests.Client;

public sealed class DelayQueueTopicTests : IClassFixture<KafkaClusterFixture>
{
    private readonly KafkaClusterFixture _kafka;

    public DelayQueueTopicTests(KafkaClusterFixture kafka) => _kafka = kafka;

    [Fact]
    public async Task EnsureTopicsAsync_MissingTopics_CreatesEveryTierAndTheCancellationTopicWithTheTierConfigs()
    {
        var settings = UniqueSettings().WithTopicConfig("max.message.bytes", "2000000");
        var creator = new RecordingTopicCreator(Creator(settings));
        await using var queue = new DelayQueue(settings, ProducerSettings(_kafka), Options(_kafka, Clock()) with { TopicCreator = creator });
        var tiers = queue.Tiers.Select(t => t.Topic).ToList();

        var created = await queue.EnsureTopicsAsync();

        created.Should().BeEquivalentTo([.. tiers, settings.CancellationTopic]);
        var specifications = creator.Requested.Single().ToDictionary(s => s.Name);
        foreach (var tier in queue.Tiers)
        {
            var spec = specifications[tier.Topic];
            spec.NumPartitions.Should().Be(2);
            spec.ReplicationFactor.Should().Be(-1);
            spec.Configs.Should().Equal(new Dictionary<string, string>
            {
                ["cleanup.policy"] = "delete",
                ["retention.ms"] = Ms(tier.Hold + settings.RetentionMargin),
                ["max.message.bytes"] = "2000000",
            });
        }

        specifications[settings.CancellationTopic].Configs.Should().Equal(new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact,delete",
            ["retention.ms"] = Ms(settings.MaxDelay + settings.RetentionMargin),
        });

        using var admin = new KafkaAdmin(_kafka.BootstrapServers);
        foreach (var topic in created)
        {
            admin.DescribeTopic(topic, Patience)!.PartitionCount.Should().Be(2, $"{topic} is created as specified");
        }

        if (!_kafka.IsEmbedded)
        {
            // The embedded cluster keeps no topic configs and does not answer DescribeConfigs; a real one shows them.
            using var client = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.BootstrapServers }).Build();
            var described = await client.DescribeConfigsAsync([.. created.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t })]);
            foreach (var topic in described)
            {
                foreach (var (name, value) in specifications[topic.ConfigResource.Name].Configs)
                {
                    topic.Entries[name].Value.Should().Be(value, $"{topic.ConfigResource.Name} has {name} = {value}");
                }
            }
        }
    }

    [Fact]
    public async Task EnsureTopicsAsync_SomeTopicsExist_LeavesThemAsTheyAreAndCreatesTheOthers()
    {
        var settings = UniqueSettings();
        var tiers = new DelayTiers(settings);
        using (var creator = Creator(settings))
        {
            await creator.CreateMissingAsync([new TopicSpecification { Name = tiers[1].Topic, NumPartitions = 1, ReplicationFactor = 1 }], CancellationToken.None);
        }

        await using var queue = Queue(_kafka, settings, Clock());

        var created = await queue.EnsureTopicsAsync();
        var again = await queue.EnsureTopicsAsync();

        created.Should().HaveCount(tiers.Count).And.NotContain(tiers[1].Topic);
        again.Should().BeEmpty();
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);
        admin.DescribeTopic(tiers[1].Topic, Patience)!.PartitionCount.Should().Be(1, "an existing topic is not altered");
    }

    [Fact]
    public async Task ScheduleAsync_FirstUse_CreatesTheTopicsOnce()
    {
        var settings = UniqueSettings();
        var creator = new RecordingTopicCreator(Creator(settings));
        await using var queue = new DelayQueue(settings, ProducerSettings(_kafka), Options(_kafka, Clock()) with { TopicCreator = creator });
        var target = KafkaClusterFixture.NewTopicName();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => queue.ScheduleAsync(target, Key(i), Value(i), null, TimeSpan.FromSeconds(i))));
        await queue.ScheduleAsync(target, Key(9), Value(9), null, TimeSpan.FromMinutes(9));

        creator.Requested.Should().ContainSingle("concurrent first uses share one creation, later uses none");
        using var admin = new KafkaAdmin(_kafka.BootstrapServers);
        admin.DescribeTopic(queue.Tiers[0].Topic, Patience)!.PartitionCount.Should().Be(2, "created by the queue, not by a producer's automatic creation");
        admin.DescribeTopic(settings.CancellationTopic, Patience)!.PartitionCount.Should().Be(2);
    }

    [Fact]
    public async Task ScheduleAsync_EnsureTopicsOnFirstUseOff_CreatesNothing()
    {
        var settings = UniqueSettings();
        var creator = new RecordingTopicCreator(Creator(settings));
        await using var queue = new DelayQueue(
            settings, ProducerSettings(_kafka), Options(_kafka, Clock()) with { TopicCreator = creator, EnsureTopicsOnFirstUse = false });
        await queue.EnsureTopicsAsync();
        creator.Requested.Clear();

        await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(1));
        await queue.CancelAsync(DelayMessageId.New(DateTimeOffset.UtcNow.AddHours(1)));

        creator.Requested.Should().BeEmpty();
    }

    [Fact]
    public async Task EnsureTopicsAsync_CreationFails_FailsNamingTheTopicsAndTheRemedy_AndTheNextCallTriesAgain()
    {
        var settings = UniqueSettings();
        var creator = new RecordingTopicCreator(Creator(settings)) { FailNext = 1 };
        await using var queue = new DelayQueue(settings, ProducerSettings(_kafka), Options(_kafka, Clock()) with { TopicCreator = creator });

        var failure = await queue.Invoking(q => q.ScheduleAsync(KafkaClusterFixture.NewTopicName(), null, null, null, TimeSpan.FromSeconds(1)))
            .Should().ThrowAsync<DelayQueueException>();

        failure.Which.Message.Should().Contain(settings.CancellationTopic).And.Contain(queue.Tiers[3].Topic).And.Contain("DelayTiers.TopicSpecifications()");
        failure.Which.Error!.Code.Should().Be(ErrorCode.ClusterAuthorizationFailed);
        (await queue.EnsureTopicsAsync()).Should().HaveCount(queue.Tiers.Count + 1, "a failed creation is not remembered");
    }

    [Fact]
    public async Task EnsureTopicsAsync_EmbeddedClusterReachedThroughTheAdminApi_FailsSayingHowToCreateThem()
    {
        var settings = UniqueSettings();
        await using var queue = new DelayQueue(settings, ProducerSettings(_kafka), new DelayQueueOptions { AdminTimeout = TimeSpan.FromSeconds(2) });

        var act = () => queue.EnsureTopicsAsync();

        if (_kafka.IsEmbedded)
        {
            (await act.Should().ThrowAsync<DelayQueueException>()).Which.Message
                .Should().Contain(settings.CancellationTopic).And.Contain("DelayQueueOptions.EmbeddedCluster");
        }
        else
        {
            (await act()).Should().HaveCount(queue.Tiers.Count + 1);
        }
    }

    private static string Ms(TimeSpan duration) => (duration.Ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture);

    private IDelayTopicCreator Creator(DelaySettings settings) => _kafka.Embedded is { } cluster
        ? new EmbeddedTopicCreator(cluster, Patience)
        : new AdminTopicCreator(new AdminClientConfig { BootstrapServers = _kafka.BootstrapServers }, Patience);

    /// <summary>Records every set of specifications the queue asks for, and fails on request.</summary>
    private sealed class RecordingTopicCreator(IDelayTopicCreator inner) : IDelayTopicCreator
    {
        public ConcurrentQueue<IReadOnlyList<TopicSpecification>> Requested { get; } = new();

        public int FailNext { get; set; }

        public Task<IReadOnlyList<string>> CreateMissingAsync(IReadOnlyList<TopicSpecification> topics, CancellationToken cancellationToken)
        {
            Requested.Enqueue(topics);
            if (FailNext > 0)
            {
                FailNext--;
                throw new KafkaException(new Error(ErrorCode.ClusterAuthorizationFailed, "Creating topics failed: not authorized"));
            }

            return inner.CreateMissingAsync(topics, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
