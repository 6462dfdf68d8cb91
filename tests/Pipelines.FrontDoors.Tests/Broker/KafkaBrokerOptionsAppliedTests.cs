using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Broker;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>Each broker and subscription option changes what the broker does on the cluster, or is refused.</summary>
public sealed class KafkaBrokerOptionsAppliedTests(KafkaClusterFixture kafka, ITestOutputHelper output)
    : BrokerSpec(kafka, output, "pipelines.brokers.raw { codec = bytes }")
{
    public sealed record Job(int Id, string Owner);

    [Theory]
    [InlineData(BrokerOrdering.Unordered, 3, 3)]
    [InlineData(BrokerOrdering.PerKey, 3, 2)]
    public async Task ConcurrencyAndOrdering_BoundTheHandlersRunningAtOnce(BrokerOrdering ordering, int concurrency, int expectedPeak)
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();
        const int count = 12;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => broker.PublishAsync(topic, new Job(i, Owner(i)), key: Owner(i))));
        var running = 0;
        var peak = 0;
        var done = new ConcurrentQueue<Job>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.Subscribe<Job>(topic, CreateGroupId(), async (e, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            if (now >= expectedPeak)
            {
                // The bound is reached: let every handler finish from now on.
                release.TrySetResult();
            }

            await release.Task;
            Interlocked.Decrement(ref running);
            done.Enqueue(e.Message);
        }, new SubscribeOptions { Concurrency = concurrency, Ordering = ordering });

        await Eventually.TrueAsync(() => done.Count >= count, Patience, "every job handled");
        Volatile.Read(ref peak).Should().Be(expectedPeak, "unordered: up to the concurrency; per key: one per key (two keys here)");
        if (ordering == BrokerOrdering.PerKey)
        {
            foreach (var owner in done.GroupBy(j => j.Owner))
            {
                owner.Select(j => j.Id).Should().BeInAscendingOrder("one key's messages are handled in partition order");
            }
        }
    }

    [Fact]
    public async Task AutoOffsetResetLatest_NewGroupStartsAtTheEnd()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();
        await broker.PublishAsync(topic, new Job(-1, "before"));
        var seen = new ConcurrentQueue<Job>();
        broker.Subscribe<Job>(topic, CreateGroupId(), (e, _) =>
        {
            seen.Enqueue(e.Message);
            return Task.CompletedTask;
        }, new SubscribeOptions { AutoOffsetReset = AutoOffsetReset.Latest });

        // Publish until the subscription, once assigned, sees one: it starts at the end, wherever that was then.
        var next = 0;
        await Eventually.TrueAsync(async () =>
        {
            await broker.PublishAsync(topic, new Job(next++, "after"));
            return !seen.IsEmpty;
        }, Patience, "a message published after the subscription is handled");

        seen.Should().NotContain(j => j.Owner == "before", "latest skips what was there before the group existed");
    }

    [Fact]
    public async Task AutoOffsetResetEarliest_ByDefault_NewGroupReadsFromTheStart()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();
        await broker.PublishAsync(topic, new Job(-1, "before"));
        var seen = new ConcurrentQueue<Job>();

        broker.Subscribe<Job>(topic, CreateGroupId(), (e, _) =>
        {
            seen.Enqueue(e.Message);
            return Task.CompletedTask;
        });

        await Eventually.TrueAsync(() => !seen.IsEmpty, Patience, "the earlier message handled");
        seen.Single().Owner.Should().Be("before");
    }

    [Fact]
    public async Task RetryBackoff_IsWaitedOnTheOptionsClock_BeforeTheNextAttempt()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var clock = new DelayRecordingClock();
        var broker = Broker(o =>
        {
            o.TimeProvider = clock;
            o.RetryBackoff = TimeSpan.FromMinutes(10);
            o.RetryMaxBackoff = TimeSpan.FromHours(1);
        });
        var attempts = 0;
        var subscription = broker.Subscribe<Job>(topic, CreateGroupId(), (e, _) =>
            Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("first attempt fails") : Task.CompletedTask);

        await broker.PublishAsync(topic, new Job(1, "x"));
        await Eventually.TrueAsync(() => subscription.Metrics.Failures == 1, Patience, "the first attempt failed");
        await Eventually.TrueAsync(() => clock.Delays.Contains(TimeSpan.FromMinutes(10)), Patience, "the retry waits its backoff on the clock");
        clock.Advance(TimeSpan.FromMinutes(9));
        Volatile.Read(ref attempts).Should().Be(1, "the retry waits the 10 minute backoff");
        clock.Advance(TimeSpan.FromMinutes(1));

        await Eventually.TrueAsync(() => subscription.Metrics.Handled == 1, Patience, "the retry after the backoff succeeded");
        Volatile.Read(ref attempts).Should().Be(2);
    }

    [Fact]
    public async Task ProducerClients_AreAppliedToThePublishingClient()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker(o => o.ProducerClients["message.max.bytes"] = "2000");

        var act = () => broker.PublishAsync(topic, new Job(1, new string('x', 5000)));

        (await act.Should().ThrowAsync<KafkaProduceException<byte[], byte[]>>()).Which.Error.Code.Should().Be(ErrorCode.MsgSizeTooLarge);
        await broker.PublishAsync(topic, new Job(2, "small"));
    }

    [Fact]
    public async Task Brokers_AreTheClustersTheClientsUse()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var unreachable = Broker(o =>
        {
            o.Brokers = ["127.0.0.1:1"];
            o.ProducerClients["message.timeout.ms"] = "1000";
        });

        var act = () => unreachable.PublishAsync(topic, new Job(1, "x"));

        (await act.Should().ThrowAsync<KafkaProduceException<byte[], byte[]>>()).Which.Error.Code.Should().Be(ErrorCode.Local_MsgTimedOut);
        var reachable = Broker(o => o.Brokers = [BootstrapServers]);
        (await reachable.PublishAsync(topic, new Job(2, "x"))).Topic.Should().Be(topic);
    }

    [Fact]
    public void Subscribe_WrongSubscriptionOptions_AreRefusedWithEveryProblem()
    {
        var broker = Broker();

        var act = () => broker.Subscribe<Job>("bad topic!", " ", (_, _) => Task.CompletedTask,
            new SubscribeOptions { Concurrency = 0, AutoOffsetReset = AutoOffsetReset.Error, Ordering = (BrokerOrdering)7 });

        var message = act.Should().Throw<SettingsException>().Which.Message;
        message.Should().Contain("topic").And.Contain("queue").And.Contain("concurrency").And.Contain("auto-offset-reset").And.Contain("ordering");
    }

    [Fact]
    public async Task Create_FromHocon_AppliesTheNamedBrokersCodec()
    {
        var broker = KafkaBroker.Create(Sys, "raw");
        try
        {
            broker.Options.Codec.Should().BeSameAs(BrokerCodec.Bytes);
            var act = () => broker.PublishAsync("any-topic", new Job(1, "x"));
            (await act.Should().ThrowAsync<BrokerCodecException>()).Which.Message.Should().Contain("byte[]");
        }
        finally
        {
            await broker.StopAsync();
        }
    }

    private static string Owner(int i) => i % 2 == 0 ? "a" : "b";

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
