using System.Text;
using Confluent.Kafka;
using Pipelines.Delay.Tests.Client;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

public sealed class DelayRouterCancellationTests(KafkaClusterFixture kafka, ITestOutputHelper output) : RouterSpec(kafka, output)
{
    [Fact]
    public async Task Router_CancelledBeforeDue_NotDeliveredAndItsOffsetCommitted()
    {
        var settings = Settings(nameof(Router_CancelledBeforeDue_NotDeliveredAndItsOffsetCommitted));
        var target = await CreateTopicAsync();
        await using var queue = Queue(settings);
        var cancelled = await queue.ScheduleAsync(target, Bytes("a"), Bytes("cancelled"), null, TimeSpan.FromSeconds(3));
        var kept = await queue.ScheduleAsync(target, Bytes("b"), Bytes("kept"), null, TimeSpan.FromSeconds(3));
        (await queue.CancelAsync(cancelled.Id)).Should().Be(CancelOutcome.Cancelled);

        var router = Router(settings);
        await DriveAsync([router], 2);

        var delivered = await TargetAsync(target, 1);
        delivered.Select(IdOf).Should().Equal([kept.Id], "the cancelled message is never delivered");
        router.Metrics.Cancelled.Should().Be(1);
        router.Metrics.Delivered.Should().Be(1);
        await Eventually.TrueAsync(
            async () => (await CommittedOffsetsAsync(settings.RouterGroupId, cancelled.Topic))[cancelled.Partition].Offset.Value > cancelled.Offset,
            Patience,
            "the cancelled message's offset to be committed");
        await router.DrainAndShutdown();
    }

    [Fact]
    public async Task Cancel_AfterTheRouterDelivered_AnswersAlreadyDelivered()
    {
        var settings = Settings(nameof(Cancel_AfterTheRouterDelivered_AnswersAlreadyDelivered));
        var target = await CreateTopicAsync();
        await using var queue = Queue(settings);
        var message = await queue.ScheduleAsync(target, Bytes("a"), Bytes("v"), null, TimeSpan.FromSeconds(2));

        var router = Router(settings);
        await DriveAsync([router], 1);

        // The offset is committed only after the Delivered fact is acknowledged.
        await Eventually.TrueAsync(
            async () => (await CommittedOffsetsAsync(settings.RouterGroupId, message.Topic))[message.Partition].Offset.Value > message.Offset,
            Patience,
            "the delivered message's offset to be committed");
        (await queue.CancelAsync(message.Id)).Should().Be(CancelOutcome.AlreadyDelivered);
        var facts = await DelayQueueTestKit.ReadFactsAsync(Kafka, settings, 2);
        facts.Should().ContainSingle(f => f.Id == message.Id && f.Kind == DelayFactKind.Delivered);
        await router.DrainAndShutdown();
    }

    [Fact]
    public async Task Router_CancelAcceptedWhileAnotherRouterHeldTheMessage_HonouredAfterRestart()
    {
        var settings = Settings(nameof(Router_CancelAcceptedWhileAnotherRouterHeldTheMessage_HonouredAfterRestart));
        var target = await CreateTopicAsync();
        await using var queue = Queue(settings);
        var cancelled = await queue.ScheduleAsync(target, Bytes("a"), Bytes("cancelled"), null, TimeSpan.FromSeconds(10));
        var kept = await queue.ScheduleAsync(target, Bytes("b"), Bytes("kept"), null, TimeSpan.FromSeconds(10));

        var first = Router(settings);
        await Eventually.TrueAsync(() => first.Metrics.Held == 2, Patience, "the first router to hold both messages");
        Clock.Advance(TimeSpan.FromSeconds(2));
        (await queue.CancelAsync(cancelled.Id)).Should().Be(CancelOutcome.Cancelled);
        await first.DrainAndShutdown();
        first.Metrics.Delivered.Should().Be(0);

        var second = Router(settings);
        await DriveAsync([second], 2);

        var delivered = await TargetAsync(target, 1);
        delivered.Select(IdOf).Should().Equal([kept.Id], "the new router read the cancel from the beginning of the cancellation topic");
        second.Metrics.Cancelled.Should().Be(1);
        await second.DrainAndShutdown();
    }

    [Fact]
    public async Task Router_CancellationTopicMissing_FailsWithTheTopicNamed()
    {
        var settings = Settings(nameof(Router_CancellationTopicMissing_FailsWithTheTopicNamed));
        var target = await CreateTopicAsync();
        await using (var queue = Queue(settings))
        {
            await queue.ScheduleAsync(target, Bytes("a"), Bytes("v"), null, TimeSpan.Zero);
        }

        var router = Router(settings.WithCancellationTopic(settings.CancellationTopic + "-missing"));
        var failure = await router.Invoking(r => r.Completion).Should().ThrowAsync<DelayRouterException>();
        failure.Which.Message.Should().Contain(settings.CancellationTopic + "-missing");
        router.Metrics.Delivered.Should().Be(0, "no message is delivered while cancellations cannot be read");
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
