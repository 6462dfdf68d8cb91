using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Kafka.Tests.Support;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Kafka;
using Pipelines.TestKit.Engine;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

public sealed class BackPressureTests : IClassFixture<KafkaClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka;
    private readonly Materializer _materializer;

    public BackPressureTests(KafkaClusterFixture kafka, ITestOutputHelper output)
    {
        _kafka = kafka;
        _materializer = new Materializer(new MaterializerSettings { Logger = new TestOutputLogger(output, LogLevel.Information) });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _materializer.DisposeAsync();

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
            .ToMaterialized(TestSink.Probe<CommittableMessage<string, string>>(), Keep.Both)
            .Run(_materializer);
        probe.Timeout = Patience;
        var first = await probe.RequestNextAsync();

        // The stall under test: downstream takes nothing for well over max.poll.interval.ms.
        await Task.Delay(maxPollInterval * 2.5);

        revokedOrLost.Should().Be(0, "the consumer kept polling, so the group never dropped it");
        assigned.Should().Be(1);
        var metrics = control.Metrics;
        metrics.RecordsReceived.Should().BeLessThan(2 * bufferSize, "only the buffer fills while downstream stalls");
        metrics.Partitions.Values.Single().Paused.Should().BeTrue("a reader without progress has its partitions paused");

        var offsets = new List<long> { first.Record.Offset.Value };
        while (offsets.Count < records)
        {
            var next = await probe.RequestNextAsync();
            offsets.Add(next.Record.Offset.Value);
        }

        offsets.Should().Equal(Enumerable.Range(0, records).Select(i => (long)i), "nothing is lost or repeated across the stall");
        revokedOrLost.Should().Be(0);
        control.Metrics.Resumes.Should().BeGreaterThanOrEqualTo(1);
        await control.Shutdown().WaitAsync(Patience);
    }
}
