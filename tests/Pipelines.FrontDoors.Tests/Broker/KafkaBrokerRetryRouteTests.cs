using System.Collections.Concurrent;
using Pipelines.Delay;
using Pipelines.FrontDoors.Broker;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary><c>retry = route</c> with a non-blocking retry: through the broker's delay queue, a delay router and the group's retry topic.</summary>
public sealed class KafkaBrokerRetryRouteTests(KafkaClusterFixture kafka, ITestOutputHelper output)
    : BrokerSpec(kafka, output, $$"""
        pipelines.delay { tiers = [1s], topic-prefix = "{{Prefix}}-delay-", cancellation.topic = "{{Prefix}}-cancellations", router-group-id = "{{Prefix}}-router", topics.partitions = 1 }
        pipelines.retry { in-place.attempts = 0, non-blocking { attempts = 2, backoff = 1s, jitter = 0 } }
        """)
{
    private static readonly string Prefix = KafkaClusterFixture.NewTopicName("broker-route");

    public sealed record Invoice(int Id);

    [Fact]
    public async Task RetryRoute_FailedMessage_ComesBackThroughTheRetryTopic_AndIsHandled_NothingLost()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        EmbeddedCluster!.CreateTopic($"{group}-retry", partitions: 1);
        EmbeddedCluster.CreateTopic($"{group}-dlt", partitions: 1);
        EmbeddedCluster.CreateTopic($"{Prefix}-delay-1s", partitions: 1);
        EmbeddedCluster.CreateTopic($"{Prefix}-cancellations", partitions: 1);
        var router = DelayRouter.Run(Sys);
        try
        {
            var broker = Broker(o => o.Retry = BrokerRetryMode.Route);
            var handled = new ConcurrentQueue<(int Id, string Topic, string? Attempt)>();
            var subscription = broker.Subscribe<Invoice>(topic, group, (e, _) =>
            {
                var attempt = e.Header("pipelines-retry-attempt");
                if (e.Message.Id == 2 && attempt is null)
                {
                    throw new TimeoutException("the billing service did not answer");
                }

                handled.Enqueue((e.Message.Id, e.Topic, attempt));
                return Task.CompletedTask;
            });

            for (var i = 1; i <= 3; i++)
            {
                await broker.PublishAsync(topic, new Invoice(i), key: $"customer-{i}");
            }

            await Eventually.TrueAsync(() => handled.Count >= 3, Patience, "every invoice handled, the failed one after its retry");
            await subscription.StopAsync();
            handled.Select(h => h.Id).Should().BeEquivalentTo([1, 2, 3], "nothing lost, nothing handled twice");
            handled.Single(h => h.Id == 2).Should().Be((2, $"{group}-retry", "1"), "the retry came back through the group's retry topic");
            var route = subscription.Metrics.Route!.Snapshot();
            route.ScheduledForRetry.Should().Be(1);
            route.DeadLettered.Should().Be(0);
            subscription.Metrics.Failures.Should().Be(1);
            (await CommittedAsync(group, topic)).Should().Be(3);
        }
        finally
        {
            await router.DrainAndShutdown();
        }
    }
}
