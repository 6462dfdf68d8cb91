using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text;
using Akka;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Polly;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Retry;

using Headers = Confluent.Kafka.Headers;

public sealed class RetryRouteTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = RetryRouteTestKit.Patience;
    private static readonly DateTimeOffset ProducedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public RetryRouteTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = INFO\nakka.stdout-loglevel = WARNING"), nameof(RetryRouteTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task Route_HandlerKeepsFailing_RetriesInPlaceWithBackoffThenSchedulesTheFirstRetryThroughTheTiers()
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default
            .WithInPlace(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), DelayBackoffType.Exponential, jitter: false)
            .WithNonBlocking(2, TimeSpan.FromSeconds(10), 2.0, TimeSpan.FromMinutes(1), jitter: 0);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock);
        var produced = await ProduceAsync(kit.Topic, "order-1", "v1");
        var calls = new ConcurrentQueue<DateTimeOffset>();
        var route = kit.Route((_, _) =>
        {
            calls.Enqueue(clock.GetUtcNow());
            throw new InvalidOperationException("boom");
        });

        var (control, done) = Run(route, kit);
        await Eventually.TrueAsync(() => kit.Metrics.Snapshot().ScheduledForRetry == 1, Patience, "the retry to be scheduled");
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 1, Patience, "the offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var times = calls.ToArray();
        times.Should().HaveCount(3, "the first attempt and two retries in place");
        clock.Delays.Should().Equal(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        (times[1] - times[0]).Should().Be(TimeSpan.FromMilliseconds(100));
        (times[2] - times[1]).Should().Be(TimeSpan.FromMilliseconds(200));

        var stored = (await kit.ReadAllAsync(kit.Queue.Tiers.Smallest.Topic, 1)).Should().ContainSingle().Subject;
        var envelope = DelayHeaders.Read(stored.Message.Headers, stored.Topic, stored.Partition.Value, stored.Offset.Value);
        FailureHeaders.TryRead(stored.Message.Headers, stored.Topic, stored.Partition.Value, stored.Offset.Value, out var failure).Should().BeTrue();
        envelope.TargetTopic.Should().Be(kit.RetryTopic);
        failure!.LastFailure.Should().Be(times[2]);
        envelope.DueTime.Should().Be(failure.LastFailure + TimeSpan.FromSeconds(10), "retry 1 is due after non-blocking.backoff");
        failure.Attempt.Should().Be(1);
        failure.DeadLetterReason.Should().BeNull();
        failure.OriginalTopic.Should().Be(kit.Topic);
        failure.OriginalOffset.Should().Be(produced.Offset.Value);
        failure.ExceptionType.Should().Be(typeof(InvalidOperationException).FullName);
        stored.Message.Key.Should().Equal(Encoding.UTF8.GetBytes("order-1"));
        stored.Message.Value.Should().Equal(Encoding.UTF8.GetBytes("v1"));
        var user = DelayQueueTestKit.UserHeaders(stored.Message.Headers).Should().ContainSingle().Subject;
        user.Key.Should().Be("trace");
        user.Value.Should().Equal(Encoding.UTF8.GetBytes("abc"));
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 0, RetriedInPlace: 2, ScheduledForRetry: 1, FollowedIntoRetry: 0, DeadLettered: 0, Replayed: 0));
    }

    [Fact]
    public async Task Route_RetryMessagesKeepFailing_DeadLettersAfterTheLastAttemptWithEveryHeader()
    {
        var clock = DelayQueueTestKit.Clock();
        var settings = RetrySettings.Default
            .WithInPlace(0, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(2, TimeSpan.FromSeconds(10), 2.0, TimeSpan.FromMinutes(1), jitter: 0);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock);
        var produced = await ProduceAsync(kit.Topic, "order-7", "v7");
        var calls = new ConcurrentQueue<(DateTimeOffset At, string? Attempt)>();
        var route = kit.Route((record, _) =>
        {
            var attempt = record.Message.Headers.TryGetLastBytes(PipelinesHeaders.Attempt, out var bytes) ? Encoding.ASCII.GetString(bytes) : null;
            calls.Enqueue((clock.GetUtcNow(), attempt));
            throw new InvalidOperationException($"boom {calls.Count}");
        });
        var (control, done) = Run(route, kit);

        // The delay router is not part of this test: the test reads each retry from the tier topic and delivers it to the
        // retry topic as the router does when it is due (envelope removed, id kept), moving the clock to its due time.
        var first = await TierRecordAsync(kit, count: 1);
        var firstFailure = clock.GetUtcNow();
        DelayHeaders.Read(first.Message.Headers, first.Topic, first.Partition.Value, first.Offset.Value).DueTime.Should().Be(firstFailure + TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        await DeliverAsRouterAsync(kit, first);

        var second = await TierRecordAsync(kit, count: 2);
        var secondFailure = clock.GetUtcNow();
        DelayHeaders.Read(second.Message.Headers, second.Topic, second.Partition.Value, second.Offset.Value).DueTime
            .Should().Be(secondFailure + TimeSpan.FromSeconds(20), "retry 2 is due after backoff × multiplier");
        clock.Advance(TimeSpan.FromSeconds(20));
        await DeliverAsRouterAsync(kit, second);

        var letter = (await kit.ReadAllAsync(kit.DeadLetterTopic, 1)).Should().ContainSingle().Subject;
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.RetryTopic) == 2, Patience, "both retry messages to be committed");
        (await kit.CommittedAsync(kit.Topic)).Should().Be(1);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        calls.Select(c => c.Attempt).Should().Equal(null, "1", "2");
        var lastFailure = clock.GetUtcNow();
        calls.Select(c => c.At).Should().Equal(firstFailure, secondFailure, lastFailure);
        letter.Message.Key.Should().Equal(Encoding.UTF8.GetBytes("order-7"));
        letter.Message.Value.Should().Equal(Encoding.UTF8.GetBytes("v7"));
        var headers = letter.Message.Headers;
        Text(headers, PipelinesHeaders.OriginalTopic).Should().Be(kit.Topic);
        Text(headers, PipelinesHeaders.OriginalPartition).Should().Be(produced.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(headers, PipelinesHeaders.OriginalOffset).Should().Be(produced.Offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(headers, PipelinesHeaders.OriginalTimestamp).Should().Be(ProducedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        headers.GetLastBytes(PipelinesHeaders.OriginalKey).Should().Equal(Encoding.UTF8.GetBytes("order-7"));
        Text(headers, PipelinesHeaders.ConsumerGroup).Should().Be(kit.Group);
        Text(headers, PipelinesHeaders.ExceptionType).Should().Be("System.InvalidOperationException");
        Text(headers, PipelinesHeaders.ExceptionMessage).Should().Be("boom 3");
        Text(headers, PipelinesHeaders.ExceptionStackTrace).Should().StartWith("System.InvalidOperationException: boom 3").And.Contain(nameof(RetryRouteTests));
        Text(headers, PipelinesHeaders.Attempt).Should().Be("2");
        Text(headers, PipelinesHeaders.FirstFailure).Should().Be(firstFailure.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(headers, PipelinesHeaders.LastFailure).Should().Be(lastFailure.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(headers, PipelinesHeaders.DeadLetterReason).Should().Be("attempts-exhausted");
        headers.Where(h => h.Key.StartsWith("pipelines-delay-", StringComparison.Ordinal)).Should().BeEmpty("a dead letter is not delayed");
        DelayQueueTestKit.UserHeaders(headers).Should().ContainSingle().Which.Key.Should().Be("trace");
        headers.Select(h => h.Key).Should().OnlyHaveUniqueItems();
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 0, RetriedInPlace: 0, ScheduledForRetry: 2, FollowedIntoRetry: 0, DeadLettered: 1, Replayed: 0));
    }

    [Fact]
    public async Task Route_NonRetriableError_DeadLettersAtOnceWithoutRetries()
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default
            .WithInPlace(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock);
        await ProduceAsync(kit.Topic, "order-2", "v2");
        var calls = 0;
        var route = kit.Route((_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new ValidationException("amount must be positive");
        });

        var (control, done) = Run(route, kit);
        var letter = (await kit.ReadAllAsync(kit.DeadLetterTopic, 1)).Should().ContainSingle().Subject;
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 1, Patience, "the offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        calls.Should().Be(1);
        clock.Delays.Should().BeEmpty();
        FailureHeaders.TryRead(letter.Message.Headers, letter.Topic, letter.Partition.Value, letter.Offset.Value, out var failure).Should().BeTrue();
        failure!.DeadLetterReason.Should().Be(DeadLetterReason.NonRetriable);
        failure.Attempt.Should().Be(0);
        failure.ExceptionType.Should().Be(typeof(ValidationException).FullName);
        failure.ExceptionMessage.Should().Be("amount must be positive");
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 0, RetriedInPlace: 0, ScheduledForRetry: 0, FollowedIntoRetry: 0, DeadLettered: 1, Replayed: 0));
    }

    [Fact]
    public async Task Route_UndeserializableRecord_DeadLettersAtOnceWithTheReasonAndTheNextRecordIsHandled()
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, RetrySettings.Default, clock);
        var bad = await ProduceAsync(kit.Topic, "order-3", "not json");
        await ProduceAsync(kit.Topic, "order-4", """{"id":"order-4","amount":12.5}""");
        var handled = new ConcurrentQueue<Order>();
        var route = new RetryRoute<string, Order>(kit.Options(), Deserializers.Utf8, KafkaDeserializers.Json<Order>(), (record, _) =>
        {
            handled.Enqueue(record.Message.Value);
            return Task.CompletedTask;
        });

        var (control, done) = route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);
        var letter = (await kit.ReadAllAsync(kit.DeadLetterTopic, 1)).Should().ContainSingle().Subject;
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 2, Patience, "both offsets to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        handled.Should().Equal(new Order("order-4", 12.5m));
        clock.Delays.Should().BeEmpty("an undeserializable record is not retried in place");
        letter.Message.Value.Should().Equal(Encoding.UTF8.GetBytes("not json"), "the dead letter carries the bytes as consumed");
        FailureHeaders.TryRead(letter.Message.Headers, letter.Topic, letter.Partition.Value, letter.Offset.Value, out var failure).Should().BeTrue();
        failure!.DeadLetterReason.Should().Be(DeadLetterReason.NonRetriable);
        failure.ExceptionType.Should().Be(typeof(KafkaDeserializationException).FullName);
        failure.ExceptionMessage.Should().Contain($"Could not deserialize the value of the record at {kit.Topic} [0] @{bad.Offset.Value}");
        failure.OriginalOffset.Should().Be(bad.Offset.Value);
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 1, RetriedInPlace: 0, ScheduledForRetry: 0, FollowedIntoRetry: 0, DeadLettered: 1, Replayed: 0));
    }

    [Fact]
    public async Task Route_HandlerSucceedsOnAnInPlaceRetry_CommitsWithoutRetryOrDeadLetter()
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default.WithInPlace(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock, partitions: 2);
        await _kafka.ProduceBatchAsync(kit.Topic, 20);
        var attempts = new ConcurrentDictionary<string, int>();
        var route = kit.Route((record, _) =>
            attempts.AddOrUpdate(record.Message.Key, 1, (_, n) => n + 1) == 1 && record.Message.Key.EndsWith('7')
                ? throw new TimeoutException("flaky")
                : Task.CompletedTask);

        var (control, done) = Run(route, kit);
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 20, Patience, "every offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        attempts.Should().HaveCount(20);
        attempts.Where(a => a.Value == 2).Select(a => a.Key).Should().BeEquivalentTo(["key-7", "key-17"]);
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 20, RetriedInPlace: 2, ScheduledForRetry: 0, FollowedIntoRetry: 0, DeadLettered: 0, Replayed: 0));
    }

    [Fact]
    public async Task Route_UnorderedProcessing_HandlesAndCommitsEveryMessage()
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default
            .WithInPlace(1, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false)
            .WithProcessing(4, RetryProcessing.Unordered);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock, partitions: 2);
        await _kafka.ProduceBatchAsync(kit.Topic, 30);
        var handled = new ConcurrentDictionary<string, int>();
        var route = kit.Route((record, _) =>
            handled.AddOrUpdate(record.Message.Value, 1, (_, n) => n + 1) == 1 && record.Message.Value.EndsWith('3')
                ? throw new TimeoutException("flaky")
                : Task.CompletedTask);

        var (control, done) = Run(route, kit);
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 30, Patience, "every offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        handled.Keys.Should().BeEquivalentTo(Enumerable.Range(0, 30).Select(i => $"value-{i}"));
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 30, RetriedInPlace: 3, ScheduledForRetry: 0, FollowedIntoRetry: 0, DeadLettered: 0, Replayed: 0));
    }

    [Fact]
    public async Task Source_SettingsOfAnotherGroup_AreRefused()
    {
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, RetrySettings.Default, TimeProvider.System);
        var route = kit.Route((_, _) => Task.CompletedTask);

        var act = () => route.Source(kit.ConsumerSettings().WithGroupId("someone-else"), kit.Topic);

        act.Should().Throw<ArgumentException>().WithMessage($"*group.id is \"someone-else\"*serves group \"{kit.Group}\"*");
    }

    private (IControl Control, Task<Done> Done) Run(RetryRoute<string, string> route, RetryRouteTestKit kit) =>
        route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);

    private async Task<DeliveryResult<string, string>> ProduceAsync(string topic, string key, string value)
    {
        var message = new Message<string, string>
        {
            Key = key,
            Value = value,
            Headers = new Headers { { "trace", Encoding.UTF8.GetBytes("abc") } },
            Timestamp = new Timestamp(ProducedAt),
        };
        return (await _kafka.ProduceBatchAsync(topic, [message])).Single();
    }

    /// <summary>The newest of the <paramref name="count"/> retries stored in the (single) tier topic.</summary>
    private static async Task<ConsumeResult<byte[], byte[]>> TierRecordAsync(RetryRouteTestKit kit, int count)
    {
        await Eventually.TrueAsync(() => kit.Metrics.Snapshot().ScheduledForRetry >= count, Patience, $"retry {count} to be scheduled");
        var stored = await kit.ReadAllAsync(kit.Queue.Tiers.Smallest.Topic, count);
        stored.Should().HaveCount(count);
        return stored.MaxBy(r => int.Parse(Text(r.Message.Headers, PipelinesHeaders.Attempt), System.Globalization.CultureInfo.InvariantCulture))!;
    }

    private async Task DeliverAsRouterAsync(RetryRouteTestKit kit, ConsumeResult<byte[], byte[]> stored)
    {
        var headers = new Headers();
        foreach (var header in stored.Message.Headers)
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        DelayHeaders.RemoveEnvelope(headers);
        await _kafka.ProduceBatchAsync(kit.RetryTopic, [new Message<byte[], byte[]> { Key = stored.Message.Key, Value = stored.Message.Value, Headers = headers }]);
    }

    private static string Text(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"Header {name} is missing.");

    public sealed record Order(string Id, decimal Amount);
}
