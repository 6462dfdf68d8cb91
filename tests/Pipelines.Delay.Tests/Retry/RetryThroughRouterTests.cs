using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Delay.Tests.Router;
using Pipelines.Kafka;
using Pipelines.Kafka.Tests.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Pipelines.Telemetry;
using Polly;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Retry;

using Headers = Confluent.Kafka.Headers;

/// <summary>
/// The whole failure path with nothing done by hand: a retry route's non-blocking retries go through the delay queue's
/// tiers, the real <see cref="DelayRouter"/> delivers them to the group's retry topic when due, and the same route consumes
/// them again, until they succeed or reach the dead-letter topic. The route, the queue and the router share the actor
/// system's virtual clock, moved from one held head to the next.
/// </summary>
public sealed class RetryThroughRouterTests(KafkaClusterFixture kafka, ITestOutputHelper output) : RouterSpec(kafka, output)
{
    private const int Succeeding = 10;
    private const int Flaky = 4;
    private const int Poison = 2;
    private const int Total = Succeeding + Flaky + Poison;
    private static readonly DateTimeOffset ProducedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Route_FailuresRetriedThroughTheRealRouter_FlakyMessagesSucceedPoisonOnesAreDeadLetteredNothingLost()
    {
        using var meters = new MeterCapture();
        var delay = Settings(nameof(Route_FailuresRetriedThroughTheRealRouter_FlakyMessagesSucceedPoisonOnesAreDeadLetteredNothingLost));
        var source = await CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId(nameof(RetryThroughRouterTests));

        // Two in-place retries without backoff (Polly would wait on real time), then two non-blocking retries, 1 s and 2 s out.
        var settings = RetrySettings.Default
            .WithInPlace(2, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(2, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromMinutes(1), jitter: 0);
        await RetryRouteTestKit.CreateTopicAsync(Kafka, settings.RetryTopic(group), 2);
        await RetryRouteTestKit.CreateTopicAsync(Kafka, settings.DeadLetterTopic(group), 2);
        var time = new SchedulerTimeProvider(Sys.Scheduler);
        await using var queue = Queue(delay);
        using var producer = KafkaProducer.CreateProducer(ProducerSettings());
        var metrics = new RetryMetrics();

        // ok-* succeed at once; flaky-* fail their first four calls (the first delivery and its two in-place retries, then
        // the first call of the retry); poison-* always fail.
        var calls = new ConcurrentDictionary<string, int>();
        var attemptsSeen = new ConcurrentQueue<(string Value, string? Attempt)>();
        var handled = new ConcurrentDictionary<string, int>();
        var route = new RetryRoute<string, string>(
            new RetryRouteOptions { ConsumerGroup = group, Policy = new RetryPolicy(settings, time, () => 0.5), DelayQueue = queue, Producer = producer, Metrics = metrics },
            Deserializers.Utf8,
            Deserializers.Utf8,
            (record, _) =>
            {
                var value = record.Message.Value;
                var call = calls.AddOrUpdate(value, 1, (_, n) => n + 1);
                attemptsSeen.Enqueue((value, record.Message.Headers.TryGetLastBytes(PipelinesHeaders.Attempt, out var bytes) ? Encoding.ASCII.GetString(bytes) : null));
                if (value.StartsWith("poison", StringComparison.Ordinal) || (value.StartsWith("flaky", StringComparison.Ordinal) && call <= 4))
                {
                    throw new InvalidOperationException($"{value} failed on call {call}");
                }

                handled.AddOrUpdate(value, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            });

        var values = Enumerable.Range(0, Succeeding).Select(i => $"ok-{i}")
            .Concat(Enumerable.Range(0, Flaky).Select(i => $"flaky-{i}"))
            .Concat(Enumerable.Range(0, Poison).Select(i => $"poison-{i}"))
            .ToList();
        var produced = await Kafka.ProduceBatchAsync(source, values.Select((v, i) => new Message<string, string>
        {
            Key = $"key-{i}",
            Value = v,
            Headers = new Headers { { "trace", Encoding.UTF8.GetBytes($"t-{v}") } },
            Timestamp = new Timestamp(ProducedAt),
        }).ToList());

        var consumer = ConsumerSettings().WithGroupId(group).WithProperty("auto.offset.reset", "earliest");
        var (control, done) = route.Source(consumer, source)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(CommitterSettings.Default.WithMaxBatch(1)), Keep.Both)
            .Run(Materializer);
        await queue.EnsureTopicsAsync();
        var router = Router(delay);

        // Every message not yet handled or dead-lettered is either on its way (through Kafka or the route) or held by the
        // router: the clock moves only when all of them are held, to the earliest head.
        long Accounted()
        {
            // A failed route or router would never account for the rest: fail with its cause instead of timing out.
            if (done.IsFaulted || router.Completion.IsFaulted)
            {
                throw new InvalidOperationException("The retry route or the router failed.", done.Exception ?? router.Completion.Exception);
            }

            var counted = metrics.Snapshot();
            return counted.Handled + counted.DeadLettered;
        }

        await DriveAsync(Clock, [router], Total, Accounted, () => Accounted() >= Total, TestOutput);

        const int retries = (Flaky * 1) + (Poison * 2);
        await Eventually.TrueAsync(async () => await CommittedAsync(group, source) == Total, Patience, "every source offset to be committed");
        await Eventually.TrueAsync(async () => await CommittedAsync(group, settings.RetryTopic(group)) == retries, Patience, "every retry message to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);
        var routerMetrics = router.Metrics;
        await router.DrainAndShutdown().WaitAsync(Patience);

        // Counted: produced = handled + dead-lettered, lost 0, each exactly once.
        var letters = await Kafka.ConsumeAllAsync<byte[], byte[]>(settings.DeadLetterTopic(group), Poison, Patience);
        var deadValues = letters.Select(l => Encoding.UTF8.GetString(l.Message.Value)).ToList();
        produced.Should().HaveCount(Total);
        handled.Keys.Should().BeEquivalentTo(values.Where(v => !v.StartsWith("poison", StringComparison.Ordinal)));
        handled.Values.Should().OnlyContain(n => n == 1, "a handled message is not handled again");
        deadValues.Should().BeEquivalentTo(values.Where(v => v.StartsWith("poison", StringComparison.Ordinal)));
        values.Except(handled.Keys).Except(deadValues).Should().BeEmpty("no message is lost");

        calls.Where(c => c.Key.StartsWith("ok", StringComparison.Ordinal)).Should().OnlyContain(c => c.Value == 1);
        calls.Where(c => c.Key.StartsWith("flaky", StringComparison.Ordinal)).Should().OnlyContain(c => c.Value == 5, "3 calls, then the retry's 2");
        calls.Where(c => c.Key.StartsWith("poison", StringComparison.Ordinal)).Should().OnlyContain(c => c.Value == 9, "3 calls in each of 3 rounds");
        attemptsSeen.Where(a => a.Value == "poison-0").Select(a => a.Attempt).Should().Equal(null, null, null, "1", "1", "1", "2", "2", "2");
        metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(
            Handled: Succeeding + Flaky, RetriedInPlace: (Flaky * 3) + (Poison * 6), ScheduledForRetry: retries, FollowedIntoRetry: 0, DeadLettered: Poison, Replayed: 0));
        routerMetrics.Delivered.Should().Be(retries, "the router delivered each retry once");
        routerMetrics.Lateness.Early.Should().Be(0);
        (await Kafka.ConsumeAllAsync<byte[], byte[]>(settings.RetryTopic(group), retries, Patience)).Should().HaveCount(retries);

        // The dead letters carry every header.
        foreach (var letter in letters)
        {
            var value = Encoding.UTF8.GetString(letter.Message.Value);
            var original = produced.Single(p => p.Message.Value == value);
            var headers = letter.Message.Headers;
            Text(headers, PipelinesHeaders.OriginalTopic).Should().Be(source);
            Text(headers, PipelinesHeaders.OriginalPartition).Should().Be(Number(original.Partition.Value));
            Text(headers, PipelinesHeaders.OriginalOffset).Should().Be(Number(original.Offset.Value));
            Text(headers, PipelinesHeaders.OriginalTimestamp).Should().Be(Number(ProducedAt.ToUnixTimeMilliseconds()));
            Text(headers, PipelinesHeaders.OriginalKey).Should().Be(original.Message.Key);
            Encoding.UTF8.GetString(letter.Message.Key).Should().Be(original.Message.Key);
            Text(headers, PipelinesHeaders.ConsumerGroup).Should().Be(group);
            Text(headers, PipelinesHeaders.ExceptionType).Should().Be(typeof(InvalidOperationException).FullName);
            Text(headers, PipelinesHeaders.ExceptionMessage).Should().Be($"{value} failed on call 9");
            Text(headers, PipelinesHeaders.ExceptionStackTrace).Should().StartWith($"System.InvalidOperationException: {value} failed on call 9");
            Text(headers, PipelinesHeaders.Attempt).Should().Be("2");
            Text(headers, PipelinesHeaders.DeadLetterReason).Should().Be("attempts-exhausted");
            var first = long.Parse(Text(headers, PipelinesHeaders.FirstFailure), CultureInfo.InvariantCulture);
            var last = long.Parse(Text(headers, PipelinesHeaders.LastFailure), CultureInfo.InvariantCulture);
            (last - first).Should().BeGreaterThanOrEqualTo(3000, "the retries were due 1 s and 2 s after the failures before them, and the router is never early");
            Text(headers, "trace").Should().Be($"t-{value}");
            headers.Where(h => h.Key.StartsWith("pipelines-delay-", StringComparison.Ordinal)).Should().BeEmpty();
        }

        // The instruments saw the same.
        meters.Of("pipelines.retries", TagNames.Topic, source).Where(m => Equals(m.Tag(TagNames.RetryKind), "in-place")).Sum(m => m.Value)
            .Should().Be((Flaky * 3) + (Poison * 6));
        meters.Of("pipelines.retries", TagNames.Topic, source).Where(m => Equals(m.Tag(TagNames.RetryKind), "non-blocking")).Sum(m => m.Value)
            .Should().Be(retries);
        meters.Of("pipelines.dead_letters", TagNames.Topic, source).Should().HaveCount(Poison)
            .And.OnlyContain(m => m.Value == 1 && Equals(m.Tag(TagNames.ErrorType), "System.InvalidOperationException"));
        var tiers = queue.Tiers.Select(t => t.Topic).ToHashSet();
        var lateness = tiers.SelectMany(t => meters.Of("pipelines.delay.lateness", TagNames.Topic, t)).ToList();
        lateness.Should().HaveCount(retries).And.OnlyContain(m => m.Value >= 0 && m.Unit == "s");
        var pending = tiers.SelectMany(t => meters.Of("pipelines.delay.pending", TagNames.Topic, t)).ToList();
        pending.Should().Contain(m => m.Value > 0, "the router held the retries until due");
        pending.Sum(m => m.Value).Should().Be(0, "nothing is held once every retry was delivered");
    }

    private async Task<long> CommittedAsync(string group, string topic) =>
        (await Kafka.GetCommittedOffsetsAsync(group, topic)).Sum(p => Math.Max(0, p.Offset.Value));

    private static string Text(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"Header {name} is missing.");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
