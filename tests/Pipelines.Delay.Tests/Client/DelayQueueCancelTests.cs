using Confluent.Kafka;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;
using static Pipelines.Delay.Tests.Client.DelayQueueScheduleTests;
using static Pipelines.Delay.Tests.Client.DelayQueueTestKit;

namespace Pipelines.Delay.Tests.Client;

public sealed class DelayQueueCancelTests : IClassFixture<KafkaClusterFixture>
{
    private readonly KafkaClusterFixture _kafka;

    public DelayQueueCancelTests(KafkaClusterFixture kafka) => _kafka = kafka;

    [Fact]
    public async Task CancelAsync_ScheduledMessage_IsCancelledAndItsFactIsOnTheTopic()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(10));

        var outcome = await queue.CancelAsync(scheduled.Id);
        var again = await queue.CancelAsync(scheduled.Id);

        outcome.Should().Be(CancelOutcome.Cancelled);
        again.Should().Be(CancelOutcome.AlreadyCancelled, "the first cancel's fact is known");
        (await ReadFactsAsync(_kafka, settings, expected: 2)).Should().BeEquivalentTo(new[]
        {
            new DelayFact(scheduled.Id, DelayFactKind.Scheduled, scheduled.ScheduledAt),
            new DelayFact(scheduled.Id, DelayFactKind.Cancelled, clock.GetUtcNow()),
        }, "an AlreadyCancelled answer writes nothing");
    }

    [Fact]
    public async Task CancelAsync_UnknownId_IsUnknownAndWritesNothing()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromMinutes(5));
        var unknown = DelayMessageId.New(scheduled.DueTime);

        var outcome = await queue.CancelAsync(unknown);

        outcome.Should().Be(CancelOutcome.Unknown);
        (await ReadFactsAsync(_kafka, settings, expected: 1)).Should().ContainSingle().Which.Kind.Should().Be(DelayFactKind.Scheduled);
    }

    [Fact]
    public async Task CancelAsync_DeliveredFactPresent_IsAlreadyDeliveredAndWritesNothing()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        var target = KafkaClusterFixture.NewTopicName();
        var delivered = await queue.ScheduleAsync(target, Key(1), Value(1), null, TimeSpan.FromSeconds(5));
        var other = await queue.ScheduleAsync(target, Key(2), Value(2), null, TimeSpan.FromMinutes(5));
        (await queue.CancelAsync(other.Id)).Should().Be(CancelOutcome.Cancelled, "this cancel has read the topic once already");
        clock.Advance(TimeSpan.FromSeconds(6));

        // A router delivered the message and recorded it after the queue last read the topic.
        await WriteFactAsync(_kafka, settings, new DelayFact(delivered.Id, DelayFactKind.Delivered, clock.GetUtcNow()));
        var outcome = await queue.CancelAsync(delivered.Id);

        outcome.Should().Be(CancelOutcome.AlreadyDelivered);
        var facts = await ReadFactsAsync(_kafka, settings, expected: 4);
        facts.Should().HaveCount(4);
        facts.Where(f => f.Id == delivered.Id).Select(f => f.Kind).Should().BeEquivalentTo([DelayFactKind.Scheduled, DelayFactKind.Delivered]);
    }

    [Fact]
    public async Task CancelAsync_DueTimePassed_IsTooLateAndStillRecordsTheCancel()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(1), Value(1), null, TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(3));

        var outcome = await queue.CancelAsync(scheduled.Id);

        outcome.Should().Be(CancelOutcome.TooLate);
        (await ReadFactsAsync(_kafka, settings, expected: 2)).Should().Contain(
            new DelayFact(scheduled.Id, DelayFactKind.Cancelled, clock.GetUtcNow()), "the cancel still stops a router that has not delivered it");
    }

    [Fact]
    public async Task CancelAsync_FactAcknowledgedOnlyAfterTheDueTime_IsTooLate()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        var producerSettings = ProducerSettings(_kafka);
        using var producer = KafkaProducer.CreateProducer(producerSettings);
        await using var queue = new DelayQueue(
            settings,
            producerSettings,
            ClockAdvancingProducer.Wrap(producer, clock, settings.CancellationTopic, TimeSpan.FromSeconds(2)),
            Options(_kafka, clock));
        var target = KafkaClusterFixture.NewTopicName();

        // Each write to the cancellation topic takes 2 s on the clock, the Scheduled fact's too.
        var late = await queue.ScheduleAsync(target, Key(1), Value(1), null, clock.GetUtcNow().AddSeconds(3));
        var lateOutcome = await queue.CancelAsync(late.Id);
        var inTime = await queue.ScheduleAsync(target, Key(2), Value(2), null, clock.GetUtcNow().AddSeconds(10));
        var inTimeOutcome = await queue.CancelAsync(inTime.Id);

        lateOutcome.Should().Be(CancelOutcome.TooLate, "asked 1 s before the due time, the cancel was acknowledged 1 s after it, when a router may already deliver");
        inTimeOutcome.Should().Be(CancelOutcome.Cancelled, "acknowledged 6 s before the due time");
        (await ReadFactsAsync(_kafka, settings, expected: 4)).Where(f => f.Kind == DelayFactKind.Cancelled).Select(f => f.Id)
            .Should().BeEquivalentTo([late.Id, inTime.Id], "a late cancel is still recorded");
    }

    [Fact]
    public async Task CancelAsync_FromAnotherClient_AnswersFromTheFactsOnTheTopicAndKeepsReadingThem()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var scheduler = Queue(_kafka, settings, clock);
        await using var canceller = Queue(_kafka, settings, clock);
        var target = KafkaClusterFixture.NewTopicName();

        var first = await scheduler.ScheduleAsync(target, Key(1), Value(1), null, TimeSpan.FromMinutes(1));
        (await canceller.CancelAsync(first.Id)).Should().Be(CancelOutcome.Cancelled);
        var second = await scheduler.ScheduleAsync(target, Key(2), Value(2), null, TimeSpan.FromMinutes(1));
        (await canceller.CancelAsync(second.Id)).Should().Be(CancelOutcome.Cancelled, "the Scheduled fact written since the last cancel is read");
        (await scheduler.CancelAsync(first.Id)).Should().Be(CancelOutcome.AlreadyCancelled, "the other client's cancel is on the topic");
        (await canceller.CancelAsync(DelayMessageId.New(first.DueTime))).Should().Be(CancelOutcome.Unknown);
    }

    [Fact]
    public async Task CancelAsync_RecordSchedulesOff_NeverAnswersUnknown()
    {
        var settings = UniqueSettings().WithRecordSchedules(false);
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);

        var outcome = await queue.CancelAsync(DelayMessageId.New(clock.GetUtcNow().AddMinutes(1)));

        outcome.Should().Be(CancelOutcome.Cancelled, "without Scheduled facts an id cannot be known to be unknown");
    }

    [Fact]
    public async Task CancelAsync_MalformedRecordOnTheCancellationTopic_FailsNamingItEveryTime()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        await queue.EnsureTopicsAsync();
        using (var producer = new ProducerBuilder<byte[], byte[]>(_kafka.ProducerConfig()).Build())
        {
            await producer.ProduceAsync(new TopicPartition(settings.CancellationTopic, 1), new Message<byte[], byte[]> { Key = [1, 2, 3], Value = [1] });
        }

        var id = DelayMessageId.New(clock.GetUtcNow().AddMinutes(1));
        var first = await queue.Invoking(q => q.CancelAsync(id)).Should().ThrowAsync<DelayRecordException>();
        var second = await queue.Invoking(q => q.CancelAsync(id)).Should().ThrowAsync<DelayRecordException>();

        first.Which.Message.Should().Contain($"{settings.CancellationTopic} [1] @0").And.Contain("17 bytes");
        second.Which.Offset.Should().Be(0, "the reader stays at the record instead of skipping a fact it cannot read");
    }

    [Fact]
    public async Task CancelAsync_EmptyId_IsRefused()
    {
        await using var queue = Queue(_kafka, UniqueSettings(), Clock());

        var act = () => queue.CancelAsync(default);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*id is empty*");
    }
}
