using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Pipelines.Configuration;
using Pipelines.TestKit.Kafka;
using static Pipelines.Delay.Tests.Client.DelayQueueScheduleTests;
using static Pipelines.Delay.Tests.Client.DelayQueueTestKit;

namespace Pipelines.Delay.Tests.Client;

public sealed class ScheduleFlowTests : IClassFixture<KafkaClusterFixture>, IAsyncLifetime
{
    private readonly KafkaClusterFixture _kafka;
    private readonly ActorSystem _system = ActorSystem.Create("schedule-flow-tests", PipelinesConfiguration.ParseString("akka.loglevel = WARNING"));

    public ScheduleFlowTests(KafkaClusterFixture kafka) => _kafka = kafka;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    [Fact]
    public async Task ScheduleFlow_Requests_EmitsInArrivalOrderWithThePassThrough()
    {
        var clock = Clock();
        var now = clock.GetUtcNow();
        await using var queue = Queue(_kafka, UniqueSettings(), clock);
        var target = KafkaClusterFixture.NewTopicName();

        // Larger delays first: they go to other tiers and partitions, so acknowledgements can arrive out of order.
        var requests = Enumerable.Range(0, 40)
            .Select(i => (ScheduleRequest.After(target, Key(i), Value(i), TimeSpan.FromSeconds(40 - i), targetPartition: i % 3), PassThrough: $"element-{i}"))
            .ToList();

        var results = await Source.From(requests)
            .Via(queue.ScheduleFlow<string>(parallelism: 8))
            .RunWith(Sink.Seq<(ScheduledMessage Scheduled, string PassThrough)>(), _system.Materializer())
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(requests.Select(r => r.PassThrough));
        results.Select(r => r.Scheduled.DueTime).Should().Equal(requests.Select(r => now + r.Item1.Delay!.Value));
        results.Select(r => r.Scheduled.TargetPartition).Should().Equal(requests.Select(r => r.Item1.TargetPartition));
        var stored = await ReadStoredAsync(_kafka, results.Select(r => r.Scheduled));
        for (var i = 0; i < results.Count; i++)
        {
            var scheduled = results[i].Scheduled;
            stored[(scheduled.Topic, scheduled.Partition, scheduled.Offset)].Message.Key.Should().Equal(Key(i), "each result says where its own message is");
        }
    }

    [Fact]
    public async Task Create_FromAnActorSystem_ReadsTheDelayAndProducerSettingsFromItsConfiguration()
    {
        var prefix = KafkaClusterFixture.NewTopicName() + "-";
        var config = PipelinesConfiguration.ParseString($$"""
            akka.loglevel = WARNING
            akka.kafka.producer.kafka-clients { bootstrap.servers = "{{_kafka.BootstrapServers}}", linger.ms = 1 }
            pipelines.delay {
              tiers = [250ms, 2s]
              topic-prefix = "{{prefix}}"
              cancellation.topic = "{{prefix}}cancellations"
              topics.partitions = 1
            }
            """);
        var system = ActorSystem.Create("delay-queue-from-config", config);
        try
        {
            await using var queue = DelayQueue.Create(system, new DelayQueueOptions { EmbeddedCluster = _kafka.Embedded });

            var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(1));

            queue.Tiers.Select(t => t.Topic).Should().Equal(prefix + "250ms", prefix + "2s");
            scheduled.Topic.Should().Be(prefix + "250ms");
            (await ReadStoredAsync(_kafka, [scheduled])).Values.Single().Message.Value.Should().Equal(Value(1));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task ScheduleFlow_RequestFailsByDefault_FailsTheStreamWithItsException()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(_kafka, settings, Clock());
        var target = KafkaClusterFixture.NewTopicName();
        var requests = new[]
        {
            (ScheduleRequest.After(target, Key(0), Value(0), TimeSpan.FromSeconds(1)), 0),
            (ScheduleRequest.After(settings.CancellationTopic, Key(1), Value(1), TimeSpan.FromSeconds(1)), 1),
            (ScheduleRequest.After(target, Key(2), Value(2), TimeSpan.FromSeconds(1)), 2),
        };

        var run = Source.From(requests)
            .Via(queue.ScheduleFlow<int>(parallelism: 1))
            .RunWith(Sink.Seq<(ScheduledMessage Scheduled, int PassThrough)>(), _system.Materializer());

        await run.Invoking(r => r.WaitAsync(Patience)).Should().ThrowAsync<ArgumentException>().WithMessage("*own topics*");
    }

    [Fact]
    public async Task ScheduleFlow_RequestFailsUnderResumingDecider_DropsThatElementAndContinues()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(_kafka, settings, Clock());
        var target = KafkaClusterFixture.NewTopicName();
        var requests = Enumerable.Range(0, 6)
            .Select(i => (ScheduleRequest.After(i == 3 ? settings.CancellationTopic : target, Key(i), Value(i), TimeSpan.FromSeconds(i)), i))
            .ToList();

        var results = await Source.From(requests)
            .Via(queue.ScheduleFlow<int>(parallelism: 4).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)))
            .RunWith(Sink.Seq<(ScheduledMessage Scheduled, int PassThrough)>(), _system.Materializer())
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(0, 1, 2, 4, 5);
    }

    [Fact]
    public async Task ScheduleFlow_DefaultParallelism_SchedulesInOrder_AndZeroIsRefused()
    {
        await using var queue = Queue(_kafka, UniqueSettings(), Clock());
        var target = KafkaClusterFixture.NewTopicName();

        var results = await Source.From(Enumerable.Range(0, 3).Select(i => (ScheduleRequest.After(target, Key(i), Value(i), TimeSpan.FromSeconds(5)), i)))
            .Via(queue.ScheduleFlow<int>())
            .RunWith(Sink.Seq<(ScheduledMessage Scheduled, int PassThrough)>(), _system.Materializer())
            .WaitAsync(Patience);

        results.Select(r => r.PassThrough).Should().Equal(0, 1, 2);
        queue.Invoking(q => q.ScheduleFlow<int>(0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
