using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Confluent.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

public sealed class DelayRouterReliabilityTests(KafkaClusterFixture kafka, ITestOutputHelper output) : RouterSpec(kafka, output)
{
    [Fact]
    public async Task Router_ActorSystemTerminatedMidFlight_NextRouterDeliversEveryMessageWithTheSameIds()
    {
        var settings = Settings(nameof(Router_ActorSystemTerminatedMidFlight_NextRouterDeliversEveryMessageWithTheSameIds));
        var target = await CreateTopicAsync(partitions: 2);
        using var watcher = new TargetWatcher(Kafka, target, 2);
        var crashing = ActorSystem.Create("crashing-router", VirtualTime);
        var crashingClock = (TestScheduler)crashing.Scheduler;
        Align(crashingClock, Clock);

        const int count = 200;
        var random = new Random(42);
        await using var queue = Queue(settings);
        var scheduled = await Task.WhenAll(Enumerable.Range(0, count).Select(i => queue.ScheduleAsync(
            target, Bytes($"key-{i}"), Bytes($"value-{i}"), null, TimeSpan.FromMilliseconds(random.Next(0, 20_000)))));

        // Commits in batches of 50 or every 5 s of the router's clock: the crash leaves delivered messages uncommitted.
        var routerSettings = DelayRouterSettings.Default.WithCommitMaxBatch(50).WithCommitMaxInterval(TimeSpan.FromSeconds(5));
        var first = Router(settings, routerSettings, crashing);
        await DriveAsync(crashingClock, [first], count, () => watcher.Distinct, () => watcher.Distinct >= count / 3, TestOutput);
        await crashing.Terminate();
        var beforeCrash = watcher.Distinct;

        Align(Clock, crashingClock);
        var second = Router(settings, routerSettings);
        await DriveAsync(Clock, [second], count, () => watcher.Distinct, () => watcher.Distinct >= count, TestOutput);

        watcher.Ids.Keys.Should().BeEquivalentTo(scheduled.Select(s => s.Id), "every scheduled message is delivered, none lost");
        foreach (var record in watcher.Records)
        {
            var id = IdOfRecord(record);
            record.Message.Timestamp.UtcDateTime.Should().BeOnOrAfter(id.DueTime.UtcDateTime, "no router delivers early");
        }

        var duplicates = watcher.Total - count;
        TestOutput.WriteLine($"delivered before the crash {beforeCrash}, total records {watcher.Total}, duplicates {duplicates} (same ids)");
        duplicates.Should().BeGreaterThanOrEqualTo(0);
        watcher.Ids.Values.Sum().Should().Be((int)watcher.Total, "a duplicate carries the id of its original");
        await second.DrainAndShutdown();
    }

    [Fact]
    public async Task Routers_TwoInstancesInTheGroup_ShareTheTiersAndDeliverEveryMessageOnce()
    {
        var settings = Settings(nameof(Routers_TwoInstancesInTheGroup_ShareTheTiersAndDeliverEveryMessageOnce));
        var target = await CreateTopicAsync(partitions: 2);
        await using var queue = Queue(settings);
        await queue.EnsureTopicsAsync();
        var a = Router(settings);
        var b = Router(settings);
        await Eventually.TrueAsync(
            () => a.Metrics.Consumer.Partitions.Count > 0 && b.Metrics.Consumer.Partitions.Count > 0
                && a.Metrics.Consumer.Partitions.Count + b.Metrics.Consumer.Partitions.Count == 6,
            Patience,
            "both routers to own tier partitions");

        const int count = 60;
        var random = new Random(7);
        var scheduled = await Task.WhenAll(Enumerable.Range(0, count).Select(i => queue.ScheduleAsync(
            target, Bytes($"key-{i}"), Bytes($"value-{i}"), null, TimeSpan.FromMilliseconds(random.Next(0, 40_000)))));

        await DriveAsync([a, b], count);

        var delivered = await TargetAsync(target, count);
        delivered.Select(IdOf).Should().BeEquivalentTo(scheduled.Select(s => s.Id), "each message is delivered exactly once");
        (a.Metrics.Delivered + b.Metrics.Delivered).Should().Be(count);
        (a.Metrics.Delivered + a.Metrics.Cascaded).Should().BePositive("both routers route messages of their partitions");
        (b.Metrics.Delivered + b.Metrics.Cascaded).Should().BePositive("both routers route messages of their partitions");
        (a.Metrics.Lateness.Early + b.Metrics.Lateness.Early).Should().Be(0);
        await Task.WhenAll(a.DrainAndShutdown(), b.DrainAndShutdown());
    }

    [Fact]
    public async Task Router_MessagesOfOneKeyWithTheSameDelay_DeliveredInSchedulingOrderThroughTheTiers()
    {
        var settings = Settings(nameof(Router_MessagesOfOneKeyWithTheSameDelay_DeliveredInSchedulingOrderThroughTheTiers));
        var target = await CreateTopicAsync(partitions: 2);
        await using var queue = Queue(settings);
        const int count = 30;
        var scheduled = new List<ScheduledMessage>();
        for (var i = 0; i < count; i++)
        {
            // 12 s: the 5s tier until 9 s (its delay and hold window), then the 1s tier; the same key keeps one partition on every hop.
            scheduled.Add(await queue.ScheduleAsync(target, Bytes("one-key"), Bytes($"{i}"), null, TimeSpan.FromSeconds(12)));
        }

        var router = Router(settings);
        await DriveAsync([router], count);

        var delivered = await TargetAsync(target, count);
        delivered.Select(r => r.Partition.Value).Distinct().Should().ContainSingle("one key goes to one target partition");
        delivered.OrderBy(r => r.Offset.Value).Select(r => Encoding.UTF8.GetString(r.Message.Value))
            .Should().Equal(Enumerable.Range(0, count).Select(i => $"{i}"), "a tier keeps the order of its partition");
        router.Metrics.Cascaded.Should().Be(count, "every message took one more hop");
        await router.DrainAndShutdown();
    }

    [Fact]
    public async Task Router_100000MessagesPending_HoldsOnlyItsBuffersAndPausesThePartitions()
    {
        var settings = Settings(nameof(Router_100000MessagesPending_HoldsOnlyItsBuffersAndPausesThePartitions));
        await using (var queue = Queue(settings))
        {
            await queue.EnsureTopicsAsync();
        }

        const int count = 100_000;
        var tier = new DelayTiers(settings).Largest;
        var now = Clock.Now;
        var due = now + TimeSpan.FromMinutes(10);
        using (var producer = new ProducerBuilder<byte[], byte[]>(Kafka.ProducerConfig()).Build())
        {
            for (var i = 0; i < count; i++)
            {
                var headers = new Confluent.Kafka.Headers();
                DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(due), due, "never-delivered", null, now));
                producer.Produce(tier.Topic, new Message<byte[], byte[]> { Key = Bytes($"key-{i}"), Value = Bytes("v"), Headers = headers, Timestamp = new Timestamp(now) });
                if (i % 10_000 == 0)
                {
                    producer.Poll(TimeSpan.Zero);
                }
            }

            producer.Flush(Patience).Should().Be(0, "every pending message is stored");
        }

        const int reorderBuffer = 100;
        var consumer = ConsumerSettings();
        var routerSettings = DelayRouterSettings.Default.WithReorderBuffer(reorderBuffer).WithParallelism(100);
        var router = Router(settings, routerSettings);
        await Eventually.TrueAsync(
            () => router.Metrics.Held == 2 * reorderBuffer && router.Metrics.Tiers[^1].Partitions.Count == 2 && router.Metrics.Tiers[^1].Partitions.All(p => p.Paused),
            Patience,
            "both partitions of the largest tier to fill their reorder buffers and pause");

        var metrics = router.Metrics;
        TestOutput.WriteLine($"held {metrics.Held}, buffered {metrics.Tiers[^1].Buffered}, received {metrics.Consumer.RecordsReceived}, pending {metrics.Tiers[^1].Pending}, in flight {metrics.InFlight}");
        metrics.Held.Should().Be(2 * reorderBuffer);
        metrics.Tiers[^1].Buffered.Should().BeLessThanOrEqualTo(2 * (routerSettings.ConsumerBufferSize + consumer.MaxPollRecords), "the router's consumer buffers per partition");
        metrics.Consumer.RecordsReceived.Should().BeLessThan(count / 10, "a paused partition is not read further");
        metrics.InFlight.Should().Be(0);
        metrics.Delivered.Should().Be(0);
        var released = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()) + tier.Delay;
        metrics.Tiers[^1].Partitions.Should().OnlyContain(p => p.HeadEligibleAt == released, "a record leaves its tier one tier delay after it was written");
        await router.DrainAndShutdown();
    }

    private static void Align(TestScheduler a, TestScheduler b)
    {
        if (a.Now < b.Now)
        {
            a.Advance(b.Now - a.Now);
        }
        else if (b.Now < a.Now)
        {
            b.Advance(a.Now - b.Now);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
