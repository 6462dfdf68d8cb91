using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Support;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>The consumer's instruments of the Pipelines meter, observed with a <see cref="System.Diagnostics.Metrics.MeterListener"/>.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ConsumerMetricsTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;
    private readonly IMaterializer _materializer;

    public ConsumerMetricsTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ConsumerMetricsTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task CommittableSource_EveryRecordCommitted_ConsumedAndCommittedCountEachRecordOnce()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(Kafka, topic, partitions: 3, count: 300);

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(topic))
            .Select(m => m.CommittableOffset)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 50)), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(async () => (await Kafka.GetCommittedOffsetsAsync(group, topic)).Sum(o => o.Offset.Value) == 300, Patience, "300 committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var consumed = meters.Of("pipelines.consumer.consumed", TagNames.ConsumerGroup, group);
        consumed.Sum(m => m.Value).Should().Be(300);
        consumed.Should().OnlyContain(m => Equals(m.Tag(TagNames.Topic), topic) && m.Unit == "{record}");
        consumed.Count.Should().BeLessThan(300, "records are added per poll turn, not one by one");

        var committed = meters.Of("pipelines.consumer.committed", TagNames.ConsumerGroup, group);
        committed.Sum(m => m.Value).Should().Be(300);
        committed.Should().OnlyContain(m => Equals(m.Tag(TagNames.Topic), topic));

        var commits = meters.Of("pipelines.consumer.commits", TagNames.ConsumerGroup, group);
        commits.Should().NotBeEmpty().And.OnlyContain(m => !m.HasTag(TagNames.ErrorType) && m.Value == 1);
        var durations = meters.Of("pipelines.consumer.commit.duration", TagNames.ConsumerGroup, group);
        durations.Should().HaveCount(commits.Count).And.OnlyContain(m => m.Value >= 0 && m.Unit == "s");
    }

    [Fact]
    public async Task Commits_BrokerRefusesACommit_CountsItAndItsDurationWithTheErrorType()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(Kafka, topic, partitions: 1, count: 10);
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.OffsetMetadataTooLarge);

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(topic))
            .Select(m => m.CommittableOffset)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);

        await done.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaCommitException>("a commit refused for good fails a committer that waits for acks");
        await control.Shutdown().WaitAsync(Patience);
        var refused = meters.Of("pipelines.consumer.commits", TagNames.ConsumerGroup, group).Where(m => m.HasTag(TagNames.ErrorType)).ToList();
        refused.Should().ContainSingle().Which.Tag(TagNames.ErrorType).Should().Be("OffsetMetadataTooLarge");
        meters.Of("pipelines.consumer.commit.duration", TagNames.ConsumerGroup, group).Should().ContainSingle(m => Equals(m.Tag(TagNames.ErrorType), "OffsetMetadataTooLarge"));
    }

    [Fact]
    public async Task Gauges_RecordsNeverProcessed_ReportInFlightPerPartitionUntilTheConsumerShutsDown()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(Kafka, topic, partitions: 3, count: 30);

        // Nothing marks the records processed, so every one stays in flight.
        var control = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(topic))
            .To(Sink.Ignore<CommittableMessage<string, string>>())
            .Run(_materializer);

        await Eventually.TrueAsync(
            () => meters.Observe("pipelines.consumer.in_flight", TagNames.ConsumerGroup, group).Count(m => m.Value == 10) == 3,
            Patience,
            "10 records in flight on each of the 3 partitions");

        var inFlight = meters.Observe("pipelines.consumer.in_flight", TagNames.ConsumerGroup, group);
        inFlight.Select(m => m.Tag(TagNames.Partition)).Should().BeEquivalentTo(["0", "1", "2"]);
        inFlight.Should().OnlyContain(m => Equals(m.Tag(TagNames.Topic), topic) && Equals(m.Tag(TagNames.ClientId), group));
        control.Metrics.Partitions.Values.Select(p => p.InFlight).Should().Equal(10, 10, 10);
        meters.Observe("pipelines.consumer.paused", TagNames.ConsumerGroup, group).Should().HaveCount(3).And.OnlyContain(m => m.Value == 0 || m.Value == 1);
        meters.Observe("pipelines.consumer.buffered", TagNames.ConsumerGroup, group).Should().HaveCount(3);
        meters.Observe("pipelines.consumer.lag", TagNames.ConsumerGroup, group).Should().BeEmpty("the lag is unknown without statistics.interval.ms");

        await control.Shutdown().WaitAsync(Patience);
        meters.Observe("pipelines.consumer.in_flight", TagNames.ConsumerGroup, group).Should().BeEmpty("a consumer that shut down is no longer reported");
    }

    [Fact]
    public async Task Gauges_StatisticsEnabled_ReportTheLagOfEachPartition()
    {
        using var meters = new MeterCapture();
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(Kafka, topic, partitions: 2, count: 20);
        var settings = KafkaTestSettings.Consumer(Kafka, group).WithProperty("statistics.interval.ms", "100");

        var control = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .SelectAsync(1, async m =>
            {
                await m.CommittableOffset.CommitAsync();
                return m;
            })
            .To(Sink.Ignore<CommittableMessage<string, string>>())
            .Run(_materializer);

        await Eventually.TrueAsync(
            () => meters.Observe("pipelines.consumer.lag", TagNames.ConsumerGroup, group) is { Count: 2 } lags && lags.All(m => m.Value == 0),
            Patience,
            "a lag of 0 on both partitions once every record is committed");
        await control.Shutdown().WaitAsync(Patience);
    }
}
