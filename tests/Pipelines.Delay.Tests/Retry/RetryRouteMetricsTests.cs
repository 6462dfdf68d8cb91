using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.Kafka.Tests.Telemetry;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Polly;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Retry;

/// <summary>The retry route's instruments on the Pipelines meter: retries by kind and dead letters by error type, tagged with the original topic.</summary>
public sealed class RetryRouteMetricsTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = RetryRouteTestKit.Patience;
    private readonly KafkaClusterFixture _kafka;
    private readonly IMaterializer _materializer;

    public RetryRouteMetricsTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"), nameof(RetryRouteMetricsTests), output)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task Route_InPlaceSuccessNonBlockingRetryAndNonRetriableError_EachCountedOnceWithItsKindOrErrorType()
    {
        using var meters = new MeterCapture();
        var clock = new AutoAdvancingClock(DelayQueueTestKit.Clock());
        var settings = RetrySettings.Default
            .WithInPlace(1, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(2, TimeSpan.FromSeconds(10), 2.0, TimeSpan.FromMinutes(1), jitter: 0);
        await using var kit = await RetryRouteTestKit.CreateAsync(_kafka, settings, clock);
        await _kafka.ProduceBatchAsync(kit.Topic, 4);
        var calls = new ConcurrentDictionary<string, int>();

        // value-0: handled; value-1: fails once, handled on its in-place retry; value-2: keeps failing, so it is retried in
        // place and then through the tiers; value-3: non-retriable, dead-lettered at once.
        var route = kit.Route((record, _) =>
        {
            var call = calls.AddOrUpdate(record.Message.Value, 1, (_, n) => n + 1);
            return record.Message.Value switch
            {
                "value-1" when call == 1 => throw new TimeoutException("slow"),
                "value-2" => throw new InvalidOperationException("boom"),
                "value-3" => throw new ValidationException("invalid"),
                _ => Task.CompletedTask,
            };
        });
        var (control, done) = route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == 4, Patience, "every offset to be committed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var retries = meters.Of("pipelines.retries", TagNames.Topic, kit.Topic);
        retries.Where(m => Equals(m.Tag(TagNames.RetryKind), "in-place")).Sum(m => m.Value).Should().Be(2, "value-1 and value-2 were retried in place once each");
        retries.Where(m => Equals(m.Tag(TagNames.RetryKind), "non-blocking")).Should().ContainSingle().Which.Value.Should().Be(1);
        retries.Should().OnlyContain(m => m.Unit == "{record}");
        meters.Of("pipelines.dead_letters", TagNames.Topic, kit.Topic).Should().ContainSingle()
            .Which.Tag(TagNames.ErrorType).Should().Be(typeof(ValidationException).FullName);
        kit.Metrics.Snapshot().Should().Be(new RetryMetricsSnapshot(Handled: 2, RetriedInPlace: 2, ScheduledForRetry: 1, FollowedIntoRetry: 0, DeadLettered: 1, Replayed: 0));
    }
}
