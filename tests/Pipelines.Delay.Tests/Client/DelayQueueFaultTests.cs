using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;
using static Pipelines.Delay.Tests.Client.DelayQueueScheduleTests;
using static Pipelines.Delay.Tests.Client.DelayQueueTestKit;

namespace Pipelines.Delay.Tests.Client;

/// <summary>
/// Broker faults while scheduling and cancelling. Injected errors are cluster-wide, so this class has a cluster of its
/// own, and every test clears what it injected.
/// </summary>
public sealed class DelayQueueFaultTests : IClassFixture<EmbeddedKafkaFixture>, IAsyncLifetime
{
    private readonly EmbeddedKafkaFixture _fixture;

    public DelayQueueFaultTests(EmbeddedKafkaFixture fixture) => _fixture = fixture;

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);
        for (var broker = 1; broker <= _fixture.Cluster.BrokerCount; broker++)
        {
            _fixture.Cluster.SetBrokerUp(broker);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task ScheduleAsync_BrokerRefusesTheMessage_FailsTheTaskNamingTheTierTopic()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(Kafka, settings, Clock());
        await queue.EnsureTopicsAsync();
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NoError, ErrorCode.TopicAuthorizationFailed);

        var act = () => queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(30));

        var failure = (await act.Should().ThrowAsync<DelayQueueException>()).Which;
        failure.Error!.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        failure.InnerException.Should().BeAssignableTo<ProduceException<byte[], byte[]>>();
        failure.Message.Should().Contain($"tier topic \"{queue.Tiers[2].Topic}\"").And.Contain("Grant the client WRITE");
        (await ReadFactsAsync(Kafka, settings, expected: 1)).Should().ContainSingle()
            .Which.Kind.Should().Be(DelayFactKind.Scheduled, "the fact is written before the message");
    }

    [Fact]
    public async Task ScheduleAsync_BrokerRefusesTheScheduledFact_FailsAndStoresNoMessage()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(Kafka, settings, Clock());
        await queue.EnsureTopicsAsync();
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);

        var act = () => queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(30));

        var failure = (await act.Should().ThrowAsync<DelayQueueException>()).Which;
        failure.Message.Should().Contain($"cancellation topic \"{settings.CancellationTopic}\"").And.Contain("the message was not stored, schedule it again");
        foreach (var tier in queue.Tiers)
        {
            (await Kafka.ConsumeAllAsync<byte[], byte[]>(tier.Topic, 0, Patience)).Should().BeEmpty($"no message reaches {tier.Topic} without its fact");
        }
    }

    [Fact]
    public async Task CancelAsync_BrokerRefusesTheCancelledFact_FailsAndTheCancelIsNotAccepted()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(Kafka, settings, Clock());
        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromMinutes(5));
        // A refusal of this one record (a topic authorization failure would make the client refuse the topic until its
        // metadata is refreshed).
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.PolicyViolation);

        var act = () => queue.CancelAsync(scheduled.Id);

        var failure = (await act.Should().ThrowAsync<DelayQueueException>()).Which;
        failure.Error!.Code.Should().Be(ErrorCode.PolicyViolation);
        failure.Message.Should().Contain(settings.CancellationTopic).And.Contain("the cancel was not accepted, cancel it again");
        (await queue.CancelAsync(scheduled.Id)).Should().Be(CancelOutcome.Cancelled, "the failed cancel left no fact behind");
    }

    [Fact]
    public async Task ScheduleAsync_EveryBrokerDown_FailsOnceTheMessageTimesOut()
    {
        var settings = UniqueSettings();
        var producer = ProducerSettings(Kafka).WithProperty("message.timeout.ms", "2000");
        await using var queue = new DelayQueue(settings, producer, Options(Kafka, Clock()));
        await queue.EnsureTopicsAsync();
        for (var broker = 1; broker <= _fixture.Cluster.BrokerCount; broker++)
        {
            _fixture.Cluster.SetBrokerDown(broker);
        }

        var act = () => queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(30));

        var failure = (await act.Should().ThrowAsync<DelayQueueException>()).Which;
        failure.Error!.Code.Should().Be(ErrorCode.Local_MsgTimedOut);
        failure.Message.Should().Contain("check that the brokers are reachable");
    }
}
