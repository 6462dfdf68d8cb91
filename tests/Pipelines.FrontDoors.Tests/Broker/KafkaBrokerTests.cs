using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Pipelines.Delay;
using Pipelines.FrontDoors.Broker;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>Publish and subscribe through the broker on the embedded cluster.</summary>
public sealed class KafkaBrokerTests(KafkaClusterFixture kafka, ITestOutputHelper output) : BrokerSpec(kafka, output)
{
    public sealed record Order(int Id, string Customer, decimal Amount);

    [Fact]
    public async Task PublishSubscribe_TypedJson_EveryMessageHandledOnce_AndCommitted()
    {
        var topic = await CreateTopicAsync(partitions: 3);
        var group = CreateGroupId();
        var broker = Broker();
        var received = new ConcurrentQueue<Order>();
        var subscription = broker.Subscribe<Order>(topic, group, (e, _) =>
        {
            received.Enqueue(e.Message);
            return Task.CompletedTask;
        });

        var sent = Enumerable.Range(0, 30).Select(i => new Order(i, $"customer-{i % 4}", i * 1.5m)).ToList();
        var deliveries = await Task.WhenAll(sent.Select(o => broker.PublishAsync(topic, o, key: o.Customer)));

        await Eventually.TrueAsync(() => received.Count >= sent.Count, Patience, "every order handled");
        await subscription.StopAsync();
        received.Should().BeEquivalentTo(sent, "typed JSON round trip, nothing lost");
        received.Should().OnlyHaveUniqueItems();
        subscription.Metrics.Handled.Should().Be(sent.Count);
        deliveries.Select(d => d.Topic).Should().AllBe(topic);
        (await CommittedAsync(group, topic)).Should().Be(sent.Count, "every handled message's offset is committed on stop");
        var stored = await ReadAllAsync(topic, sent.Count);
        JsonSerializer.Deserialize<Order>(stored[0].Message.Value, JsonSerializerOptions.Web).Should().NotBeNull();
        Encoding.UTF8.GetString(stored[0].Message.Value).Should().Contain("\"customer\":", "JSON with the web defaults");
    }

    [Fact]
    public async Task PublishSubscribe_ProtoCodec_RoundTripsProtobufMessages()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker(o => o.Codec = BrokerCodec.Proto);
        var received = new ConcurrentQueue<Timestamp>();
        broker.Subscribe<Timestamp>(topic, CreateGroupId(), (e, _) =>
        {
            received.Enqueue(e.Message);
            return Task.CompletedTask;
        });
        var sent = Enumerable.Range(1, 5).Select(i => new Timestamp { Seconds = 1_700_000_000 + i, Nanos = i * 1000 }).ToList();

        foreach (var timestamp in sent)
        {
            await broker.PublishAsync(topic, timestamp);
        }

        await Eventually.TrueAsync(() => received.Count >= sent.Count, Patience, "every timestamp handled");
        received.Should().Equal(sent);
        var stored = await ReadAllAsync(topic, sent.Count);
        stored[0].Message.Value.Should().Equal(sent[0].ToByteArray(), "the proto codec writes the protobuf wire format");
    }

    [Fact]
    public async Task PublishSubscribe_BytesCodec_HandsTheBytesAsSent()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker(o => o.Codec = BrokerCodec.Bytes);
        var received = new ConcurrentQueue<byte[]>();
        broker.Subscribe<byte[]>(topic, CreateGroupId(), (e, _) =>
        {
            received.Enqueue(e.Message);
            return Task.CompletedTask;
        });
        byte[][] sent = [[0, 1, 2, 255], [], Encoding.UTF8.GetBytes("plain text")];

        foreach (var bytes in sent)
        {
            await broker.PublishAsync(topic, bytes);
        }

        await Eventually.TrueAsync(() => received.Count >= sent.Length, Patience, "every message handled");
        received.Should().BeEquivalentTo(sent, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Subscribe_CodecPerSubscriptionAndPublish_OverridesTheBrokers()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();   // json by default
        var received = new ConcurrentQueue<Struct>();
        broker.Subscribe<Struct>(topic, CreateGroupId(), (e, _) =>
        {
            received.Enqueue(e.Message);
            return Task.CompletedTask;
        }, new SubscribeOptions { Codec = BrokerCodec.Proto });
        var message = new Struct { Fields = { ["order"] = Value.ForNumber(7), ["customer"] = Value.ForString("acme") } };

        await broker.PublishAsync(topic, message, codec: BrokerCodec.Proto);

        await Eventually.TrueAsync(() => !received.IsEmpty, Patience, "the proto message handled");
        received.Single().Should().Be(message);
        (await ReadAllAsync(topic, 1)).Single().Message.Value.Should().Equal(message.ToByteArray());
    }

    [Fact]
    public async Task Subscribe_HandlerSeesKeyHeadersAndCoordinates()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        var broker = Broker();
        var events = new ConcurrentQueue<BrokerEvent<Order>>();
        broker.Subscribe<Order>(topic, CreateGroupId(), (e, _) =>
        {
            events.Enqueue(e);
            return Task.CompletedTask;
        });

        var delivery = await broker.PublishAsync(topic, new Order(1, "acme", 10m), new Dictionary<string, string> { ["tenant"] = "eu-1", ["request-id"] = "r-42" }, key: "acme");

        await Eventually.TrueAsync(() => !events.IsEmpty, Patience, "the message handled");
        var handled = events.Single();
        handled.Key.Should().Be("acme");
        handled.Header("tenant").Should().Be("eu-1");
        handled.Header("request-id").Should().Be("r-42");
        handled.Header("missing").Should().BeNull();
        (handled.Topic, handled.Partition, handled.Offset).Should().Be((delivery.Topic, delivery.Partition, delivery.Offset));
        handled.Message.Should().Be(new Order(1, "acme", 10m));
    }

    [Fact]
    public async Task Subscribe_UndecodableMessage_GoesToTheDeadLetterTopicWithTheReason_AndTheOthersAreHandled()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        var deadLetters = $"{group}-dlt";
        EmbeddedCluster!.CreateTopic(deadLetters, partitions: 1);
        var broker = Broker();
        var received = new ConcurrentQueue<Order>();
        var subscription = broker.Subscribe<Order>(topic, group, (e, _) =>
        {
            received.Enqueue(e.Message);
            return Task.CompletedTask;
        });

        await broker.PublishAsync(topic, new Order(1, "a", 1m));
        await broker.PublishAsync(topic, Encoding.UTF8.GetBytes("{ not json"), key: "bad", codec: BrokerCodec.Bytes);
        await broker.PublishAsync(topic, new Order(3, "c", 3m));

        await Eventually.TrueAsync(() => received.Count >= 2 && subscription.Metrics.DeadLettered >= 1, Patience, "two handled, one dead-lettered");
        await subscription.StopAsync();
        received.Select(o => o.Id).Should().Equal(1, 3);
        var letter = (await ReadAllAsync(deadLetters, 1)).Single();
        Encoding.UTF8.GetString(letter.Message.Value).Should().Be("{ not json", "the dead letter keeps the bytes");
        Encoding.UTF8.GetString(letter.Message.Key).Should().Be("bad");
        Header(letter, "pipelines-dead-letter-reason").Should().Be("non-retriable");
        Header(letter, "pipelines-original-topic").Should().Be(topic);
        Header(letter, "pipelines-original-offset").Should().Be("1");
        Header(letter, "pipelines-exception-type").Should().Be(typeof(Kafka.KafkaDeserializationException).FullName);
        Header(letter, "pipelines-exception-stacktrace").Should().Contain("json codec");
        (await CommittedAsync(group, topic)).Should().Be(3, "the dead-lettered message is done too: nothing skipped silently, nothing stuck");
    }

    [Fact]
    public async Task Subscribe_DeadLetterCannotBeStored_FailsTheSubscription_AndCommitsNothingPastIt()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        EmbeddedCluster!.CreateTopic($"{group}-dlt", partitions: 1);
        var broker = Broker();
        await broker.PublishAsync(topic, Encoding.UTF8.GetBytes("{ not json"), codec: BrokerCodec.Bytes);
        await broker.PublishAsync(topic, new Order(2, "b", 2m));
        var handled = new ConcurrentQueue<Order>();
        EmbeddedCluster.PushRequestErrors(Pipelines.Kafka.Embedded.KafkaApiKey.Produce, Confluent.Kafka.ErrorCode.TopicAuthorizationFailed);
        try
        {
            var subscription = broker.Subscribe<Order>(topic, group, (e, _) =>
            {
                handled.Enqueue(e.Message);
                return Task.CompletedTask;
            }, new SubscribeOptions { Concurrency = 1 });

            var failure = await FluentActions.Awaiting(() => subscription.Completion.WaitAsync(Patience)).Should().ThrowAsync<RetryRouteException>();
            failure.Which.Message.Should().Contain($"{group}-dlt").And.Contain("not committed");
            subscription.Metrics.DeadLettered.Should().Be(0);
        }
        finally
        {
            EmbeddedCluster.ClearRequestErrors(Pipelines.Kafka.Embedded.KafkaApiKey.Produce);
        }

        (await CommittedAsync(group, topic)).Should().Be(0, "the undecodable message was neither dead-lettered nor skipped");
    }

    [Fact]
    public async Task Subscribe_HandlerFails_MessageIsRetriedUntilHandled_NothingLost()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        var group = CreateGroupId();
        var broker = Broker();
        var attempts = new ConcurrentDictionary<int, int>();
        var handled = new ConcurrentDictionary<int, int>();
        var subscription = broker.Subscribe<Order>(topic, group, (e, _) =>
        {
            var attempt = attempts.AddOrUpdate(e.Message.Id, 1, (_, n) => n + 1);
            if (e.Message.Id % 5 == 0 && attempt <= 3)
            {
                throw new InvalidOperationException($"order {e.Message.Id} failed (attempt {attempt})");
            }

            handled.AddOrUpdate(e.Message.Id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        });
        const int count = 40;

        await Task.WhenAll(Enumerable.Range(0, count).Select(i => broker.PublishAsync(topic, new Order(i, $"c{i % 7}", i), key: $"c{i % 7}")));

        await Eventually.TrueAsync(() => handled.Count >= count, Patience, "every order handled");
        await subscription.StopAsync();
        var lost = Enumerable.Range(0, count).Count(i => !handled.ContainsKey(i));
        lost.Should().Be(0);
        handled.Values.Should().AllSatisfy(n => n.Should().Be(1), "each message succeeds once");
        subscription.Metrics.Failures.Should().Be(8 * 3, "the 8 failing orders fail three times each, and are not skipped");
        subscription.Metrics.Handled.Should().Be(count);
        (await CommittedAsync(group, topic)).Should().Be(count);
    }

    [Fact]
    public async Task Subscribe_RetryRoute_GivesUpIntoTheDeadLetterTopic_AfterTheConfiguredRetries()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        EmbeddedCluster!.CreateTopic($"{group}-retry", partitions: 1);
        EmbeddedCluster.CreateTopic($"{group}-dlt", partitions: 1);
        var broker = Broker(o => o.Retry = BrokerRetryMode.Route);
        var attempts = new ConcurrentDictionary<int, int>();
        var handled = new ConcurrentQueue<int>();
        var subscription = broker.Subscribe<Order>(topic, group, (e, _) =>
        {
            attempts.AddOrUpdate(e.Message.Id, 1, (_, n) => n + 1);
            if (e.Message.Id == 2)
            {
                throw new InvalidOperationException("order 2 cannot be billed");
            }

            handled.Enqueue(e.Message.Id);
            return Task.CompletedTask;
        });

        for (var i = 1; i <= 3; i++)
        {
            await broker.PublishAsync(topic, new Order(i, "x", i));
        }

        await Eventually.TrueAsync(() => handled.Count >= 2 && subscription.Metrics.DeadLettered >= 1, Patience, "two handled, one dead-lettered");
        await subscription.StopAsync();
        handled.Should().BeEquivalentTo([1, 3]);
        attempts[2].Should().Be(2, "pipelines.retry.in-place.attempts = 1: the first call and one retry in place");
        subscription.Metrics.Route!.Snapshot().RetriedInPlace.Should().Be(1);
        var letter = (await ReadAllAsync($"{group}-dlt", 1)).Single();
        Header(letter, "pipelines-dead-letter-reason").Should().Be("attempts-exhausted");
        Header(letter, "pipelines-exception-message").Should().Be("order 2 cannot be billed");
        (await CommittedAsync(group, topic)).Should().Be(3);
    }

    [Fact]
    public async Task StopAsync_DrainsInFlightMessages_CommitsThem_AndANewSubscriberGetsOnlyTheRest()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        var broker = Broker();
        const int count = 20;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => broker.PublishAsync(topic, new Order(i, "x", i))));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var first = new ConcurrentQueue<int>();
        var subscription = broker.Subscribe<Order>(topic, group, async (e, _) =>
        {
            Interlocked.Increment(ref entered);
            await gate.Task;
            first.Enqueue(e.Message.Id);
        }, new SubscribeOptions { Concurrency = 4, Ordering = BrokerOrdering.Unordered });
        await Eventually.TrueAsync(() => Volatile.Read(ref entered) >= 4, Patience, "four handlers in flight");

        var stopping = subscription.StopAsync();
        stopping.IsCompleted.Should().BeFalse("the handlers in flight have not finished");
        gate.SetResult();
        await stopping;

        first.Should().HaveCountGreaterThanOrEqualTo(4, "the in-flight messages were finished, not dropped");
        subscription.Completion.IsCompletedSuccessfully.Should().BeTrue();
        (await CommittedAsync(group, topic)).Should().Be(first.Count, "every finished message is committed, no more");

        var second = new ConcurrentQueue<int>();
        var again = broker.Subscribe<Order>(topic, group, (e, _) =>
        {
            second.Enqueue(e.Message.Id);
            return Task.CompletedTask;
        });
        await Eventually.TrueAsync(() => first.Count + second.Count >= count, Patience, "the rest handled by the new subscriber");
        await again.StopAsync();
        second.Should().NotIntersectWith(first, "nothing processed is delivered again");
        first.Concat(second).Should().BeEquivalentTo(Enumerable.Range(0, count), "nothing lost");
    }

    [Fact]
    public async Task StopAsync_HandlerOutlivesTheDrainTimeout_IsCancelled_AndItsMessageIsNotCommitted()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var group = CreateGroupId();
        var broker = Broker(o => o.DrainTimeout = TimeSpan.FromMilliseconds(300));
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = broker.Subscribe<Order>(topic, group, async (e, ct) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        });
        await broker.PublishAsync(topic, new Order(1, "x", 1));
        await entered.Task.WaitAsync(Patience);

        await subscription.StopAsync().WaitAsync(Patience);

        cancelled.Task.IsCompleted.Should().BeTrue("the drain timeout cancels the handler's token");
        subscription.Completion.IsCompletedSuccessfully.Should().BeFalse("the stream ended with the cancelled message undone");
        (await CommittedAsync(group, topic)).Should().Be(0, "the cancelled message is consumed again by the next subscriber");
    }

    [Fact]
    public async Task StopAsync_ThenPublishOrSubscribe_IsRefused_AndPublishesBeforeWereAcknowledged()
    {
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();
        var published = Enumerable.Range(0, 20).Select(i => broker.PublishAsync(topic, new Order(i, "x", i))).ToList();

        await broker.StopAsync();

        published.Should().OnlyContain(t => t.IsCompletedSuccessfully, "a stop awaits the publishes handed to the client");
        await FluentActions.Awaiting(() => broker.PublishAsync(topic, new Order(99, "x", 1))).Should().ThrowAsync<ObjectDisposedException>();
        FluentActions.Invoking(() => broker.Subscribe<Order>(topic, CreateGroupId(), (_, _) => Task.CompletedTask)).Should().Throw<ObjectDisposedException>();
        (await ReadAllAsync(topic, 20)).Should().HaveCount(20);
    }

    [Fact]
    public async Task PublishAsync_ValueTheCodecCannotEncode_ThrowsBrokerCodecException()
    {
        var broker = Broker(o => o.Codec = BrokerCodec.Proto);

        var act = () => broker.PublishAsync("anything", new Order(1, "x", 1));

        (await act.Should().ThrowAsync<BrokerCodecException>()).Which.Message.Should().Contain("IMessage").And.Contain(nameof(Order));
    }
}
