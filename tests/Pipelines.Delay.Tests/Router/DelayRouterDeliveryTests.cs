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

        // 100 s: 30s tier → at 30 s, 70 s left → 30s tier → at 60 s, 40 s left → 30s → at 90 s, 10 s left → 5s → 5s → due.
        metrics.Cascaded.Should().BeGreaterThanOrEqualTo(5 + 4, "messages beyond a tier hop until due");
        Clock.Now.Should().BeOnOrAfter(start + TimeSpan.FromSeconds(100));
        await router.DrainAndShutdown();
    }
}
