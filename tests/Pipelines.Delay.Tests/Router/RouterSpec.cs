using System.Collections;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

/// <summary>
/// Router tests on the embedded cluster with the routers' clock on Akka.TestKit's virtual time: the delay queue schedules
/// on the same clock (the scheduler's <c>Now</c>), and <see cref="DriveAsync"/> moves it from one eligible head to the next
/// once everything in flight has settled, so every release happens exactly at its eligible time.
/// </summary>
public abstract class RouterSpec : KafkaSpec
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected static readonly Akka.Configuration.Config VirtualTime = ConfigurationFactory.ParseString(
        """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """);

    // The TestScheduler keeps its timers in a private dictionary keyed by due instant (UTC ticks).
    private static readonly FieldInfo ScheduledWork = typeof(TestScheduler).GetField("_scheduledWork", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Akka.TestKit.TestScheduler has no field _scheduledWork any more; update RouterSpec for this Akka version.");

    protected RouterSpec(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(kafka, output, VirtualTime)
    {
        TestOutput = output;
    }

    protected ITestOutputHelper TestOutput { get; }

    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>Settings whose topics and router group no other test uses: tiers 1s, 5s, 30s with 2 partitions each.</summary>
    protected static DelaySettings Settings(string testName) =>
        DelayQueueTestKit.UniqueSettings(testName)
            .WithTiers([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)])
            .WithRouterGroupId(KafkaClusterFixture.NewGroupId(testName));

    /// <summary>A delay queue on <paramref name="clock"/>'s virtual time.</summary>
    protected DelayQueue Queue(DelaySettings settings, IScheduler? clock = null) =>
        DelayQueueTestKit.Queue(Kafka, settings, new SchedulerTimeProvider(clock ?? Sys.Scheduler));

    protected ConsumerSettings<byte[], byte[]> ConsumerSettings() =>
        ConsumerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers(Kafka.BootstrapServers)
            .WithProperties(new Dictionary<string, string>
            {
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "500",
                ["fetch.wait.max.ms"] = "20",
                ["topic.metadata.refresh.interval.ms"] = "1000",
                ["statistics.interval.ms"] = "200",
            })
            .WithStopTimeout(TimeSpan.Zero);

    protected ProducerSettings<byte[], byte[]> ProducerSettings() => DelayQueueTestKit.ProducerSettings(Kafka);

    protected DelayRouterControl Router(DelaySettings settings, DelayRouterSettings? routerSettings = null, ActorSystem? system = null) =>
        DelayRouter.Run(
            system ?? Sys,
            settings,
            routerSettings ?? DelayRouterSettings.Default.WithCommitMaxBatch(1),
            ConsumerSettings(),
            ProducerSettings());

    /// <summary>
    /// Moves <paramref name="clock"/> from one eligible head to the next until <paramref name="done"/> holds. Each step waits
    /// until the messages accounted for (<paramref name="accounted"/>: delivered or cancelled) plus those the routers hold
    /// reach <paramref name="total"/> with nothing being produced — nothing is on its way through Kafka — then advances to
    /// the earliest head once its timer is in place, so that it is released exactly when eligible.
    /// </summary>
    protected static async Task DriveAsync(TestScheduler clock, IReadOnlyList<DelayRouterControl> routers, int total, Func<long> accounted, Func<bool> done, ITestOutputHelper? output = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var steps = 0;
        while (!done())
        {
            await Eventually.TrueAsync(
                () => done() || Settled(routers, total, accounted),
                Patience,
                $"the routers to hold every pending message (accounted {accounted()} + held {routers.Sum(r => r.Metrics.Held)} of {total}, in flight {routers.Sum(r => r.Metrics.InFlight)})");
            if (done())
            {
                break;
            }

            // Settled and the head are two readings of the metrics: a head released in between is in flight, not lost.
            // Nothing held then means it is on its way to being accounted for (or a new head is on its way in).
            if (MinHead(routers) is not { } head)
            {
                await Eventually.TrueAsync(
                    () => done() || MinHead(routers) is not null,
                    Patience,
                    $"the routers hold nothing, yet only {accounted()} of {total} messages are accounted for");
                continue;
            }

            if (head > clock.Now)
            {
                await Eventually.TrueAsync(() => ((IDictionary)ScheduledWork.GetValue(clock)!).Contains(head.UtcTicks), Patience, $"a timer due at {head:O}");
                clock.Advance(head - clock.Now);
                steps++;
            }
            else
            {
                // Released already and on its way: wait for it to move on.
                await Eventually.TrueAsync(() => done() || MinHead(routers) != head || !Settled(routers, total, accounted), Patience, $"the head due at {head:O} to leave");
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"Driving the routers took longer than 3 minutes ({accounted()} of {total} accounted for).");
            }
        }

        output?.WriteLine($"Drove the routers to {clock.Now:O} in {steps} steps, {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Drives until the routers delivered or cancelled <paramref name="total"/> messages (no duplicates expected).</summary>
    protected Task DriveAsync(IReadOnlyList<DelayRouterControl> routers, int total) =>
        DriveAsync(Clock, routers, total, () => Finished(routers), () => Finished(routers) >= total, TestOutput);

    /// <summary>Messages the routers are done with: delivered or cancelled.</summary>
    protected static long Finished(IReadOnlyList<DelayRouterControl> routers) => routers.Sum(r => r.Metrics.Delivered + r.Metrics.Cancelled);

    /// <summary>Every record of <paramref name="topic"/>, once at least <paramref name="expected"/> are there.</summary>
    protected Task<IReadOnlyList<ConsumeResult<byte[], byte[]>>> TargetAsync(string topic, int expected) =>
        Kafka.ConsumeAllAsync<byte[], byte[]>(topic, expected, Patience);

    /// <summary>The delay id a delivered record carries.</summary>
    protected static DelayMessageId IdOf(ConsumeResult<byte[], byte[]> record) => IdOfRecord(record);

    internal static DelayMessageId IdOfRecord(ConsumeResult<byte[], byte[]> record) =>
        DelayMessageId.Parse(System.Text.Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(PipelinesHeaders.DelayId)));

    private static DateTimeOffset? MinHead(IReadOnlyList<DelayRouterControl> routers) =>
        routers.SelectMany(r => r.Metrics.Tiers).SelectMany(t => t.Partitions).Min(p => p.HeadEligibleAt);

    private static bool Settled(IReadOnlyList<DelayRouterControl> routers, int total, Func<long> accounted)
    {
        var metrics = routers.Select(r => r.Metrics).ToList();
        return accounted() + metrics.Sum(m => m.Held) >= total && metrics.All(m => m.InFlight == 0);
    }
}
