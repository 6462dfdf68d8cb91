using System.Text;
using Confluent.Kafka;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

public sealed class DelayRouterDeliveryTests(KafkaClusterFixture kafka, ITestOutputHelper output) : RouterSpec(kafka, output)
{
    [Fact]
    public async Task Router_MessagesForEveryTier_DeliveredNeverEarlyThroughCascades()
    {
        var settings = Settings(nameof(Router_MessagesForEveryTier_DeliveredNeverEarlyThroughCascades));
        var target = await CreateTopicAsync(partitions: 3);
        await using var queue = Queue(settings);
        var start = Clock.Now;

        // Due already, below the first tier, in each tier, between tiers and beyond the largest (several hops).
        double[] delays = [0, 0.4, 1, 2.5, 5, 7.3, 12, 30, 31, 47.5, 75, 100];
        var scheduled = new List<ScheduledMessage>();
        for (var i = 0; i < delays.Length; i++)
        {
            var headers = new Confluent.Kafka.Headers { { "trace", Encoding.UTF8.GetBytes($"t-{i}") } };
            scheduled.Add(await queue.ScheduleAsync(
                target, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value-{i}"), headers, TimeSpan.FromSeconds(delays[i]), targetPartition: i % 3));
        }

        var router = Router(settings);
        await DriveAsync([router], scheduled.Count);

        var delivered = await TargetAsync(target, scheduled.Count);
        delivered.Should().HaveCount(scheduled.Count, "each message is delivered once");
        foreach (var record in delivered)
        {
            var id = IdOf(record);
            var message = scheduled.Single(m => m.Id == id);
            var i = scheduled.IndexOf(message);
            record.Message.Timestamp.UtcDateTime.Should().BeOnOrAfter(message.DueTime.UtcDateTime, "the router released message {0} no earlier than due", i);
            Encoding.UTF8.GetString(record.Message.Key).Should().Be($"key-{i}");
            Encoding.UTF8.GetString(record.Message.Value).Should().Be($"value-{i}");
            record.Partition.Value.Should().Be(i % 3, "the target partition is honoured");
            record.Message.Headers.Select(h => h.Key).Should().Equal(["trace", PipelinesHeaders.DelayId], "user headers stay, the envelope but the id goes");
            Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("trace")).Should().Be($"t-{i}");
        }

        var metrics = router.Metrics;
        metrics.Delivered.Should().Be(scheduled.Count);
        metrics.Lateness.Early.Should().Be(0);
        metrics.Lateness.Count.Should().Be(scheduled.Count);

        // Tiers 1s, 5s, 30s; a tier holds a message due within hold-window (4 s) past its delay. 5, 7.3, 30 and 31 s are
        // delivered from their tier. 12 s: 5s tier until 9 s, then the 1s tier: one hop. 47.5 s: 30s tier until 34 s,
        // 5s tier until 43 s, 1s tier: two. 75 s: 30s until 34, 30s until 68, 5s until due: two. 100 s: 30s until 34,
        // 30s until 68, 30s until due: two.
        metrics.Cascaded.Should().Be(1 + 2 + 2 + 2, "messages beyond a tier's hold hop until due");
        Clock.Now.Should().BeOnOrAfter(start + TimeSpan.FromSeconds(100));
        await router.DrainAndShutdown();
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(0, 1)]
    public async Task Router_MessageDueWithinTheHoldWindowPastItsTier_DeliveredFromThatTier(int holdWindowSeconds, int hops)
    {
        var settings = Settings($"{nameof(Router_MessageDueWithinTheHoldWindowPastItsTier_DeliveredFromThatTier)}-{holdWindowSeconds}")
            .WithHoldWindow(TimeSpan.FromSeconds(holdWindowSeconds));
        var target = await CreateTopicAsync();
        await using var queue = Queue(settings);
        var message = await queue.ScheduleAsync(target, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), null, TimeSpan.FromSeconds(7.3));
        message.Topic.Should().Be(new DelayTiers(settings)[1].Topic, "7.3 s goes to the 5s tier");

        var router = Router(settings);
        await DriveAsync([router], 1);

        var delivered = await TargetAsync(target, 1);
        delivered.Single().Message.Timestamp.UtcDateTime.Should().BeOnOrAfter(message.DueTime.UtcDateTime);
        router.Metrics.Cascaded.Should().Be(hops, "with a {0} s hold window the 5s tier holds a message due 2.3 s past its delay {1}", holdWindowSeconds, hops == 0 ? "until due" : "not at all");
        router.Metrics.Lateness.Early.Should().Be(0);
        await router.DrainAndShutdown();
    }

    [Fact]
    public async Task Router_HoldBufferFull_TheMessagesDueLastMoveOnAHop_NoneLateNoneEarly()
    {
        var settings = Settings(nameof(Router_HoldBufferFull_TheMessagesDueLastMoveOnAHop_NoneLateNoneEarly));
        var target = await CreateTopicAsync();
        await using var queue = Queue(settings);
        var scheduled = new List<ScheduledMessage>();
        for (var i = 0; i < 4; i++)
        {
            // One key: one partition of the 5s tier; due 6.0, 6.5, 7.0 and 7.5 s, all within its hold.
            scheduled.Add(await queue.ScheduleAsync(target, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"{i}"), null, TimeSpan.FromSeconds(6 + (0.5 * i))));
        }

        var router = Router(settings, DelayRouterSettings.Default.WithCommitMaxBatch(1).WithHoldBuffer(2));
        await DriveAsync([router], scheduled.Count);

        var delivered = await TargetAsync(target, scheduled.Count);
        delivered.Select(r => Encoding.UTF8.GetString(r.Message.Value)).Should().BeEquivalentTo(["0", "1", "2", "3"], "each is delivered once");
        foreach (var record in delivered)
        {
            var message = scheduled.Single(m => m.Id == IdOf(record));
            record.Message.Timestamp.UtcDateTime.Should().Be(message.DueTime.UtcDateTime, "released exactly when due on the driven clock: neither early nor late");
        }

        // At 5 s all four may move on into a hold of two: each arrival beyond two lets the one due last go (7.0 and 7.5 s),
        // to the 1s tier, which holds both until due.
        router.Metrics.Cascaded.Should().Be(2);
        router.Metrics.Lateness.Early.Should().Be(0);
        await router.DrainAndShutdown();
    }
}
