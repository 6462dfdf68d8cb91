using System.Globalization;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Polly;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Retry;

/// <summary>
/// With preserve-key-order on, a key's messages are handled in order however often they fail: a property checked over
/// several seeds of random failures, counting order violations, losses and duplicates. No delay router is needed:
/// ordered retries go to the retry topic directly and wait there for their not-before time (on a virtual clock).
/// </summary>
public sealed class RetryRouteKeyOrderTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private const int Keys = 10;
    private const int PerKey = 12;
    private readonly KafkaClusterFixture _kafka;
    private readonly ITestOutputHelper _output;
    private readonly IMaterializer _materializer;

    public RetryRouteKeyOrderTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"), nameof(RetryRouteKeyOrderTests), output)
    {
        _kafka = kafka;
        _output = output;
        _materializer = Sys.Materializer();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Route_PreserveKeyOrderUnderRandomFailures_HandlesEveryKeyInOrderAndLosesNothing(int seed)
    {
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default
            .WithInPlace(0, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(50, TimeSpan.FromSeconds(1), 1.0, TimeSpan.FromSeconds(1), jitter: 0)
            .WithPreserveKeyOrder(true)
            .WithProcessing(8, RetryProcessing.PerKey);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock, partitions: 3, testName: $"KeyOrder{seed}");

        // Keys interleaved, each key's messages in sequence: key-k carries k-0, k-1, ...
        var messages = Enumerable.Range(0, PerKey)
            .SelectMany(seq => Enumerable.Range(0, Keys).Select(key => new Message<string, string> { Key = $"key-{key}", Value = $"{key}-{seq}" }))
            .ToList();
        await _kafka.ProduceBatchAsync(kit.Topic, messages);

        var random = new Random(seed);
        var handled = new List<(string Key, int Seq)>();
        var route = kit.Route((record, _) =>
        {
            lock (handled)
            {
                if (random.NextDouble() < 0.3)
                {
                    throw new TimeoutException($"random failure of {record.Message.Value}");
                }

                handled.Add((record.Message.Key, int.Parse(record.Message.Value.Split('-')[1], CultureInfo.InvariantCulture)));
            }

            return Task.CompletedTask;
        });

        var (control, done) = route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(
            () =>
            {
                lock (handled)
                {
                    return handled.Distinct().Count() == messages.Count && route.KeysInRetry == 0;
                }
            },
            TimeSpan.FromSeconds(90),
            "every message to be handled and every key to leave the retry path");
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == messages.Count, RetryRouteTestKit.Patience, "every source offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(RetryRouteTestKit.Patience);

        var violations = handled.GroupBy(h => h.Key).Sum(g => g.Zip(g.Skip(1)).Count(pair => pair.Second.Seq <= pair.First.Seq));
        var lost = messages.Count - handled.Distinct().Count();
        var duplicates = handled.Count - handled.Distinct().Count();
        var metrics = kit.Metrics.Snapshot();
        _output.WriteLine($"seed {seed}: {messages.Count} messages, {metrics.ScheduledForRetry} retries, {metrics.FollowedIntoRetry} followers, " +
            $"order violations {violations}, lost {lost}, duplicates {duplicates}");

        violations.Should().Be(0);
        lost.Should().Be(0);
        duplicates.Should().Be(0);
        metrics.DeadLettered.Should().Be(0);
        metrics.ScheduledForRetry.Should().BeGreaterThan(0);
        metrics.FollowedIntoRetry.Should().BeGreaterThan(0, "later messages of keys in retry follow them");
        metrics.Handled.Should().Be(messages.Count);
    }

    [Fact]
    public async Task Route_RestartWhileAKeyIsInRetry_TheNewRouteRebuildsItsKeysFromTheRetryTopicAndKeepsTheirOrder()
    {
        var clock = DelayQueueTestKit.Clock();
        var settings = RetrySettings.Default
            .WithInPlace(0, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(5, TimeSpan.FromSeconds(10), 1.0, TimeSpan.FromSeconds(10), jitter: 0)
            .WithPreserveKeyOrder(true);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock);
        await _kafka.ProduceBatchAsync(kit.Topic, [Message("k", "k-0"), Message("k", "k-1"), Message("other", "other-0")]);

        // First run: k-0 fails once and waits in the retry topic for its not-before time (the clock stands still), k-1
        // follows it there; then the instance stops abruptly, its set of keys in retry gone with it.
        using var crash = new CancellationTokenSource();
        var first = new List<string>();
        var failedOnce = false;
        var firstRoute = new RetryRoute<string, string>(kit.Options() with { StoppingToken = crash.Token }, Deserializers.Utf8, Deserializers.Utf8, (record, _) =>
        {
            lock (first)
            {
                if (record.Message.Value == "k-0" && !failedOnce)
                {
                    failedOnce = true;
                    throw new TimeoutException("first failure");
                }

                first.Add(record.Message.Value);
            }

            return Task.CompletedTask;
        });
        var (firstControl, firstDone) = Run(firstRoute, kit);
        await Eventually.TrueAsync(
            () => kit.Metrics.Snapshot() is { ScheduledForRetry: 1, FollowedIntoRetry: 1, Handled: 1 },
            RetryRouteTestKit.Patience,
            "k-0 to be in retry, k-1 to follow it, other-0 to be handled");
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 3, RetryRouteTestKit.Patience, "the source offsets to be committed");
        await crash.CancelAsync();
        await firstDone.Invoking(t => t.WaitAsync(RetryRouteTestKit.Patience)).Should().ThrowAsync<OperationCanceledException>();

        // The crashed member must be gone from the group: while it is still there, the assignor may leave it the retry
        // partition and give the new member only the source (the two-owner case the README names as a limit).
        await firstControl.IsShutdown.WaitAsync(RetryRouteTestKit.Patience);

        // Second run, a new instance, with k-0 due: k-2 arrives; it must not overtake k-0 and k-1, which only the retry topic
        // tells the new instance about (it reads whichever of the source and the retry topic first).
        await _kafka.ProduceBatchAsync(kit.Topic, [Message("k", "k-2")]);
        var second = new List<string>();
        var metrics = new RetryMetrics();
        var secondRoute = new RetryRoute<string, string>(kit.Options() with { Metrics = metrics }, Deserializers.Utf8, Deserializers.Utf8, (record, _) =>
        {
            lock (second)
            {
                second.Add(record.Message.Value);
            }

            return Task.CompletedTask;
        });
        clock.Advance(TimeSpan.FromSeconds(10));
        var (control, done) = Run(secondRoute, kit);
        await Eventually.TrueAsync(() => { lock (second) { return second.Count == 3; } }, RetryRouteTestKit.Patience, "k-0, k-1 and k-2 to be handled");
        await Eventually.TrueAsync(() => secondRoute.KeysInRetry == 0, RetryRouteTestKit.Patience, "the key to leave the retry path");
        await control.DrainAndShutdown(done).WaitAsync(RetryRouteTestKit.Patience);

        first.Should().Equal("other-0");
        second.Should().Equal("k-0", "k-1", "k-2");
        metrics.Snapshot().Handled.Should().Be(3, "other-0 was committed by the first run and is not handled again");
    }

    private static Message<string, string> Message(string key, string value) => new() { Key = key, Value = value };

    private (IControl Control, Task<Akka.Done> Done) Run(RetryRoute<string, string> route, RetryRouteTestKit kit) =>
        route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);
}
