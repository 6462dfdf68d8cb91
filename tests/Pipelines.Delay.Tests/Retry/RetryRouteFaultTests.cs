using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Polly;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Retry;

/// <summary>
/// The broker refuses a dead letter or a retry: the failed message's offset must not be committed, and nothing may be
/// lost once the broker accepts again. Injected errors are cluster-wide, so this class has a cluster of its own.
/// </summary>
public sealed class RetryRouteFaultTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedKafkaFixture>
{
    private const int Records = 10;
    private const string Poison = "value-5";
    private static readonly TimeSpan Patience = RetryRouteTestKit.Patience;
    private readonly EmbeddedKafkaFixture _fixture;
    private readonly IMaterializer _materializer;

    public RetryRouteFaultTests(EmbeddedKafkaFixture fixture, ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = INFO\nakka.stdout-loglevel = WARNING"), nameof(RetryRouteFaultTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task Route_DeadLetterRefused_StreamFailsNothingCommittedPastItAndNothingLostAfterRestart()
    {
        await using var kit = await RetryRouteTestKit.CreateAsync(Kafka, NoInPlaceRetries(), DelayQueueTestKit.Clock());

        var (handled, letters) = await FailThenRecoverAsync(kit, new ValidationException("poison"), expectedInTier: 0);

        letters.Should().ContainSingle().Which.Should().Be(Poison);
        handled.Should().BeEquivalentTo(Enumerable.Range(0, Records).Select(i => $"value-{i}").Where(v => v != Poison));
    }

    [Fact]
    public async Task Route_RetryRefusedByTheDelayQueue_StreamFailsNothingCommittedPastItAndNothingLostAfterRestart()
    {
        await using var kit = await RetryRouteTestKit.CreateAsync(Kafka, NoInPlaceRetries(), DelayQueueTestKit.Clock());
        await kit.Queue.EnsureTopicsAsync();

        var (handled, letters) = await FailThenRecoverAsync(kit, new TimeoutException("try later"), expectedInTier: 1);

        letters.Should().BeEmpty();
        handled.Should().BeEquivalentTo(Enumerable.Range(0, Records).Select(i => $"value-{i}").Where(v => v != Poison));
        var stored = await kit.ReadAllAsync(kit.Queue.Tiers.Smallest.Topic, 1);
        stored.Select(r => Encoding.UTF8.GetString(r.Message.Value)).Should().Equal(Poison);
    }

    private static RetrySettings NoInPlaceRetries() =>
        RetrySettings.Default.WithInPlace(0, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false);

    /// <summary>
    /// Runs the route while the broker refuses the next produce (the poison message's way out), checks that the stream
    /// failed with the record named and that no offset at or past it was committed, then runs it again with the broker
    /// accepting and returns what was handled and dead-lettered in both runs.
    /// </summary>
    private async Task<(IReadOnlyCollection<string> Handled, IReadOnlyList<string> Letters)> FailThenRecoverAsync(
        RetryRouteTestKit kit, Exception poisonError, int expectedInTier)
    {
        var produced = await Kafka.ProduceBatchAsync(kit.Topic, Records);
        var poisonOffset = produced.Single(r => r.Message.Value == Poison).Offset.Value;
        var handled = new ConcurrentBag<string>();
        var route = kit.Route((record, _) =>
        {
            if (record.Message.Value == Poison)
            {
                throw poisonError;
            }

            handled.Add(record.Message.Value);
            return Task.CompletedTask;
        });
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);

        try
        {
            var (_, failed) = route.Source(kit.ConsumerSettings(), kit.Topic)
                .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
                .Run(_materializer);
            var failure = (await failed.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<RetryRouteException>()).Which;
            failure.Topic.Should().Be(kit.Topic);
            failure.Offset.Should().Be(poisonOffset);
            failure.Message.Should().Contain("Its offset is not committed");
        }
        finally
        {
            _fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);
        }

        (await kit.CommittedAsync(kit.Topic)).Should().BeLessThanOrEqualTo(poisonOffset, "no offset at or past the refused message is committed");
        (await kit.ReadAllAsync(kit.DeadLetterTopic, 0)).Should().BeEmpty();

        var (control, done) = route.Source(kit.ConsumerSettings(), kit.Topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(RetryRouteTestKit.Committer()), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(async () => await kit.CommittedAsync(kit.Topic) == Records, Patience, "every offset to be committed after the restart");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var letters = (await kit.ReadAllAsync(kit.DeadLetterTopic, 1 - expectedInTier)).Select(r => Encoding.UTF8.GetString(r.Message.Value)).ToList();
        var accounted = handled.Concat(letters).ToHashSet();
        if (expectedInTier > 0)
        {
            accounted.Add(Poison);
        }

        var lost = produced.Select(r => r.Message.Value).Count(v => !accounted.Contains(v));
        lost.Should().Be(0);
        return (handled.Distinct().ToList(), letters);
    }
}
