using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

public sealed class BackPressureTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public BackPressureTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(BackPressureTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task CommittableSource_DownstreamStallsLongerThanMaxPollInterval_KeepsItsMembershipAndBoundedBuffers()
    {
        const int records = 3000;
        const int bufferSize = 100;
        var maxPollInterval = TimeSpan.FromSeconds(3);
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(_kafka, topic, partitions: 1, count: records);
        var assigned = 0;
        var revokedOrLost = 0;
        var handler = new PartitionAssignmentHandler(
            onAssigned: (_, _) => Interlocked.Increment(ref assigned),
            onRevoked: (_, _) => Interlocked.Increment(ref revokedOrLost),
            onLost: (_, _) => Interlocked.Increment(ref revokedOrLost));
        var settings = KafkaTestSettings.Consumer(_kafka, group)
            .WithBufferSize(bufferSize)
            .WithProperties(new Dictionary<string, string>
            {
                ["session.timeout.ms"] = "3000",
                ["heartbeat.interval.ms"] = "300",
                ["max.poll.interval.ms"] = ((int)maxPollInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

        var (control, probe) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic).WithPartitionAssignmentHandler(handler))
            .ToMaterialized(this.SinkProbe<CommittableMessage<string, string>>(), Keep.Both)
            .Run(_materializer);
        var first = await probe.RequestNextAsync(Patience);

        // The stall under test: downstream takes nothing for well over max.poll.interval.ms, and meanwhile the source
        // neither completes nor fails (the consumer was not dropped from its group).
        await probe.ExpectNoMsgAsync(maxPollInterval * 2.5);

        revokedOrLost.Should().Be(0, "the consumer kept polling, so the group never dropped it");
        assigned.Should().Be(1);
        var metrics = control.Metrics;
        metrics.RecordsReceived.Should().BeLessThan(2 * bufferSize, "only the buffer fills while downstream stalls");
        metrics.Partitions.Values.Single().Paused.Should().BeTrue("a reader without progress has its partitions paused");

        var offsets = new List<long> { first.Record.Offset.Value };
        while (offsets.Count < records)
        {
            var next = await probe.RequestNextAsync(Patience);
            offsets.Add(next.Record.Offset.Value);
        }

        offsets.Should().Equal(Enumerable.Range(0, records).Select(i => (long)i), "nothing is lost or repeated across the stall");
        revokedOrLost.Should().Be(0);
        control.Metrics.Resumes.Should().BeGreaterThanOrEqualTo(1);
        await control.Shutdown().WaitAsync(Patience);
    }
}
