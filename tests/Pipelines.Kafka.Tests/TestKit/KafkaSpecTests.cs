using Akka.Actor;
using Akka.Configuration;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.TestKit;

public sealed class KafkaSpecTests(KafkaClusterFixture kafka, ITestOutputHelper output)
    : KafkaSpec(kafka, output, ConfigurationFactory.ParseString("akka.loglevel = WARNING\npipelines.spec.marker = 42"))
{
    [Fact]
    public void Sys_ExtraHocon_WinsOverTheDefaultsAndSettingsPointAtTheCluster()
    {
        var config = Sys.Settings.Config;

        config.GetInt("pipelines.spec.marker").Should().Be(42);
        Sys.Settings.LogLevel.Should().Be("WARNING");
        config.GetString("akka.kafka.consumer.kafka-clients.bootstrap.servers").Should().Be(BootstrapServers);
        config.GetString("akka.kafka.producer.kafka-clients.bootstrap.servers").Should().Be(BootstrapServers);
        config.GetString("akka.actor.provider").Should().NotBeNullOrEmpty("Akka's own defaults are still there");
    }

    [Fact]
    public void Materializer_GraphWithAStreamProbe_RunsOnTheSpecsSystem()
    {
        Materializer.System.Should().BeSameAs(Sys);

        var probe = Source.From(Enumerable.Range(1, 3)).Select(x => x * 10).RunWith(this.SinkProbe<int>(), Materializer);

        probe.Request(3);
        probe.ExpectNext(10);
        probe.ExpectNext(20);
        probe.ExpectNext(30);
        probe.ExpectComplete();
    }

    [Fact]
    public void CreateTopicNameAndCreateGroupId_CalledTwice_AreUniqueAndNamedAfterTheTest()
    {
        const string test = nameof(CreateTopicNameAndCreateGroupId_CalledTwice_AreUniqueAndNamedAfterTheTest);

        var topics = new[] { CreateTopicName(), CreateTopicName() };
        var groups = new[] { CreateGroupId(), CreateGroupId() };

        topics.Should().OnlyHaveUniqueItems().And.OnlyContain(t => t.StartsWith(test + "-", StringComparison.Ordinal));
        topics.Should().OnlyContain(t => KafkaTopicName.Problem(t) == null);
        groups.Should().OnlyHaveUniqueItems().And.OnlyContain(g => g.Contains(test, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProduceAsync_ThenConsumeAsync_ReadsEveryRecordBackInPartitionOrder()
    {
        var topic = await CreateTopicAsync(partitions: 3);

        var delivered = await ProduceAsync(topic, 30);
        var read = await ConsumeAsync(topic, 30);

        delivered.Should().HaveCount(30).And.OnlyContain(d => d.Status == PersistenceStatus.Persisted);
        delivered.Select(d => d.Message.Value).Should().Equal(Enumerable.Range(0, 30).Select(i => $"value-{i}"));
        read.Select(r => (r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value)).Should().BeEquivalentTo(
            delivered.Select(d => (d.Partition.Value, d.Offset.Value, d.Message.Key, d.Message.Value)));
        foreach (var partition in read.GroupBy(r => r.Partition.Value))
        {
            partition.Select(r => r.Offset.Value).Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task ConsumeAsync_MoreRecordsThanAsked_ReturnsExactlyTheFirstOnes()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        await ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => new Message<Null, string> { Value = $"record-{i}" })]);

        var read = await ConsumeAsync(topic, 4);

        read.Select(r => r.Message.Value).Should().Equal("record-0", "record-1", "record-2", "record-3");
    }

    [Fact]
    public async Task ConsumeAsync_FewerRecordsThanAsked_ThrowsTimeoutSayingHowManyArrived()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        await ProduceAsync(topic, 3);

        var act = () => ConsumeAsync(topic, 5, TimeSpan.FromSeconds(2));

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage($"Read 3 of 5 expected records from topic \"{topic}\"*");
    }

    [Fact]
    public async Task CommittedOffsetsAsync_AfterARawConsumerCommits_ReportsThemPerPartition()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        var groupId = CreateGroupId();
        await ProduceAsync(topic, 6);

        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig(groupId)).Build();
            consumer.Commit([new TopicPartitionOffset(topic, 0, 3)]);
            consumer.Close();
        });
        var committed = await CommittedOffsetsAsync(groupId, topic);

        committed.Select(c => (c.Partition.Value, c.Offset)).Should().Equal((0, new Offset(3)), (1, Offset.Unset));
    }

    [Fact]
    public async Task DisposeAsync_AfterATest_StopsItsSystemAndDeletesOnlyItsTopics()
    {
        // Another spec on the same cluster, driven by hand the way xunit drives each test.
        var other = new HandDrivenSpec(Kafka);
        await other.InitializeAsync();
        var othersTopic = await other.CreateTopicForTheTestAsync();
        var ownTopic = await CreateTopicAsync();

        await other.DisposeAsync();
        other.Dispose();

        other.System.WhenTerminated.IsCompleted.Should().BeTrue("the system stops before the topics go, so no stream still uses them");
        await Eventually.TrueAsync(() => !AllTopics().Contains(othersTopic), what: $"topic {othersTopic} to be deleted");
        AllTopics().Should().Contain(ownTopic, "only the topics of the finished test are deleted");
    }

    private List<string> AllTopics()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
    }

    private sealed class HandDrivenSpec(KafkaClusterFixture kafka) : KafkaSpec(kafka)
    {
        public ActorSystem System => Sys;

        public Task<string> CreateTopicForTheTestAsync() => CreateTopicAsync(partitions: 2);
    }
}
