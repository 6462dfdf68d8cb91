using System.Text;
using Pipelines.Kafka.Tests.Telemetry;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

/// <summary>The router's instruments on the Pipelines meter: records held per tier topic, and each delivery's lateness.</summary>
public sealed class DelayRouterMetricsTests(KafkaClusterFixture kafka, ITestOutputHelper output) : RouterSpec(kafka, output)
{
    [Fact]
    public async Task Router_HoldsMessagesNotDue_PendingCountsThemPerTierUntilTheRouterStopsAndLatenessEachDelivery()
    {
        using var meters = new MeterCapture();
        var settings = Settings(nameof(Router_HoldsMessagesNotDue_PendingCountsThemPerTierUntilTheRouterStopsAndLatenessEachDelivery));
        var target = await CreateTopicAsync(partitions: 1);
        await using var queue = Queue(settings);
        foreach (var delay in new[] { TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10) })
        {
            await queue.ScheduleAsync(target, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), null, delay);
        }

        var router = Router(settings);
        // The due ones become eligible within a millisecond of the virtual clock (due times are whole milliseconds).
        await DriveAsync(Clock, [router], 5, () => router.Metrics.Delivered, () => router.Metrics.Delivered >= 2, TestOutput);
        await Eventually.TrueAsync(() => router.Metrics is { Delivered: 2, Held: 3, InFlight: 0 }, Patience, "the due messages delivered, the others held");
        var tiers = queue.Tiers.Select(t => t.Topic).ToList();
        double Pending(string tier) => meters.Sum("pipelines.delay.pending", TagNames.Topic, tier);

        var longest = queue.Tiers.Largest.Topic;
        Pending(longest).Should().Be(3, "messages 10 minutes out wait in the largest tier, held by the router");
        tiers.Where(t => t != longest).Sum(Pending).Should().Be(0, "the due messages were held only until released");
        meters.Of("pipelines.delay.pending", TagNames.Topic, longest).Should().OnlyContain(m => m.Unit == "{record}");
        var lateness = tiers.SelectMany(t => meters.Of("pipelines.delay.lateness", TagNames.Topic, t)).ToList();
        lateness.Should().HaveCount(2).And.OnlyContain(m => m.Value == 0, "the virtual clock moved to the due time, not beyond: each was delivered at its due time");

        await router.DrainAndShutdown().WaitAsync(Patience);

        // The partition's stage reports what it dropped as it stops, on the stream's thread.
        await Eventually.TrueAsync(() => Pending(longest) == 0, Patience, "a stopped router to hold nothing (the partition's next owner reads the records again)");
    }
}
