using System.Text;
using Akka;
using Akka.Actor;
using Config = Akka.Configuration.Config;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>The queue against an embedded cluster of this class's own: fields, order, parallelism, commits, failures and crashes.</summary>
public sealed class KafkaQueueTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EmbeddedClusterFixture _fixture;

    public KafkaQueueTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(SystemConfig, nameof(KafkaQueueTests), output)
    {
        _fixture = fixture;
    }

    private static Config SystemConfig { get; } = AkkaTestConfig.RealTime.WithFallback(PipelinesConfiguration.Reference());

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task Handler_GetsKeyValueHeadersTopicPartitionOffsetAndTimestamp()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        var timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var stored = await ProduceAsync(topic, [
            (1, new Message<string?, string> { Key = "user-7", Value = "{\"ip\":\"10.0.0.1\"}", Timestamp = new Timestamp(timestamp), Headers = [new Header("trace", Encoding.UTF8.GetBytes("abc"))] }),
            (0, new Message<string?, string> { Key = null, Value = "no key" }),
        ]);
        var handler = new RecordingHandler();
        var queue = new KafkaQueue(Sys, Options(topic), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.FinishedCount == 2, Patience, "both messages handled");
        await queue.DisposeAsync();

        var keyed = handler.Finished.Single(c => c.Key is not null);
        keyed.Key.Should().Be("user-7");
        keyed.KeyBytes.Should().Equal(Encoding.UTF8.GetBytes("user-7"));
        keyed.Value.Should().Be("{\"ip\":\"10.0.0.1\"}");
        keyed.Headers.Should().ContainSingle(h => h.Key == "trace").Which.GetValueBytes().Should().Equal(Encoding.UTF8.GetBytes("abc"));
        keyed.Topic.Should().Be(topic);
        keyed.Partition.Should().Be(1);
        keyed.Offset.Should().Be(stored[0].Offset.Value);
        keyed.Timestamp.Should().Be(timestamp);
        var unkeyed = handler.Finished.Single(c => c.Key is null);
        unkeyed.Value.Should().Be("no key");
        unkeyed.KeyBytes.Should().BeNull();
        unkeyed.Partition.Should().Be(0);
    }

    [Fact]
    public async Task PerKey_Processors8_EveryKeyInOrder_KeysInParallel_NothingLost()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        const int keys = 40;
        const int perKey = 25;
        await Kafka.ProduceBatchAsync(topic, Enumerable.Range(0, keys * perKey)
            .Select(i => new Message<string, string> { Key = $"k{i % keys}", Value = (i / keys).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var handler = new RecordingHandler
        {
            // Work that completes asynchronously, every third call on another pool thread, so that calls overlap and
            // finish out of order: a later message could overtake an earlier one if allowed.
            Work = static async (context, _) =>
            {
                if (context.Offset % 3 == 0)
                {
                    await Task.Run(static () => Thread.Yield()).ConfigureAwait(false);
                }
                else
                {
                    await Task.Yield();
                }
            },
        };
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Processors, o.Group) = (8, group)), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.FinishedCount >= keys * perKey, Patience, "every message handled");
        await queue.DisposeAsync();

        handler.KeyOverlaps.Should().Be(0, "one message of a key at a time");
        handler.Peak.Should().BeGreaterThan(1, "different keys run in parallel").And.BeLessThanOrEqualTo(8);
        foreach (var key in handler.Started.GroupBy(c => c.Key))
        {
            key.Select(c => int.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(Enumerable.Range(0, perKey), $"key {key.Key} is handled in the order produced, each once");
        }

        await CommittedToEndAsync(group, topic, keys * perKey);
    }

    [Fact]
    public async Task Processors_BoundsTheCallsInFlight()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, 30);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Work = (_, _) => gate.Task };
        var queue = new KafkaQueue(Sys, Options(topic, o => o.Processors = 3), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.InFlight == 3, Patience, "three calls started");
        handler.Started.Should().HaveCount(3, "no fourth call starts while three run");
        gate.SetResult();
        await Eventually.TrueAsync(() => handler.FinishedCount == 30, Patience, "every message handled");
        await queue.DisposeAsync();

        handler.Peak.Should().Be(3);
    }

    [Fact]
    public async Task PerKey_LaterMessageOfABusyKey_WaitsForIt()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, [
            new Message<string, string> { Key = "a", Value = "a1" },
            new Message<string, string> { Key = "a", Value = "a2" },
            new Message<string, string> { Key = "b", Value = "b1" },
        ]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Work = (c, _) => c.Value == "a1" ? gate.Task : Task.CompletedTask };
        var queue = new KafkaQueue(Sys, Options(topic), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.Finished.Any(c => c.Value == "b1"), Patience, "another key goes on");
        handler.Started.Select(c => c.Value).Should().NotContain("a2", "a2 waits for a1");
        gate.SetResult();
        await Eventually.TrueAsync(() => handler.FinishedCount == 3, Patience, "every message handled");
        await queue.DisposeAsync();

        handler.Finished.Select(c => c.Value).Should().ContainInOrder("a1", "a2");
    }

    [Fact]
    public async Task Unordered_LaterMessageOfABusyKey_OvertakesIt_AndTheCommitStillWaits()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, [
            new Message<string, string> { Key = "a", Value = "a1" },
            new Message<string, string> { Key = "a", Value = "a2" },
        ]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Work = (c, _) => c.Value == "a1" ? gate.Task : Task.CompletedTask };
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Ordering, o.Group) = (KafkaQueueOrdering.Unordered, group)), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.Finished.Any(c => c.Value == "a2"), Patience, "a2 is handled while a1 runs");
        handler.KeyOverlaps.Should().Be(1, "unordered mode runs a key's messages at once");
        (await Kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset.Should().Match<Offset>(o => o == Offset.Unset || o.Value == 0, "a1 (offset 0) is not done, so a2 is not committed");
        gate.SetResult();
        await CommittedToEndAsync(group, topic, 2);
        await queue.DisposeAsync();
    }

    [Theory]
    [InlineData(KafkaQueueOrdering.PerKey)]
    [InlineData(KafkaQueueOrdering.Unordered)]
    public async Task Commit_NeverPassesAnUnprocessedMessage_SlowHandlerOnOneKey(KafkaQueueOrdering ordering)
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, [
            new Message<string, string> { Key = "fast", Value = "f0" },
            new Message<string, string> { Key = "slow", Value = "s1" },
            .. Enumerable.Range(2, 6).Select(i => new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }),
        ]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Work = (c, _) => c.Key == "slow" ? gate.Task : Task.CompletedTask };
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Group, o.Ordering) = (group, ordering)), handler);

        var control = queue.Start();
        await Eventually.TrueAsync(
            async () => handler.FinishedCount == 7 && (await Kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset.Value == 1,
            Patience,
            "every message but the slow one handled, and the one before it committed");
        var commits = control.Metrics.Commits;
        await Eventually.TrueAsync(() => control.Metrics.Commits > commits || control.Metrics.Commits > 0, Patience, "the committer has run");
        (await Kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset.Value.Should().Be(1, "offset 1 is still being handled: the 6 done after it are not committed");
        gate.SetResult();
        await CommittedToEndAsync(group, topic, 8);
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task Conns_RunsThatManyConsumersInTheGroup_WhichShareThePartitions()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 4);
        await Kafka.ProduceBatchAsync(topic, 200);
        var handler = new RecordingHandler();
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Conns, o.Group) = (2, group)), handler);

        var control = queue.Start();
        await Eventually.TrueAsync(() => handler.FinishedCount >= 200, Patience, "every message handled");

        control.Control.Should().BeOfType<KafkaQueueControl>().Which.Count.Should().Be(2);
        handler.Finished.Select(c => c.Value).Distinct().Should().HaveCount(200);
        await CommittedToEndAsync(group, topic, 200);
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task Topics_EveryTopicIsConsumed()
    {
        var first = await Kafka.CreateTopicAsync(partitions: 1);
        var second = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(first, 5);
        await Kafka.ProduceBatchAsync(second, 7);
        var handler = new RecordingHandler();
        var queue = new KafkaQueue(Sys, Options(first, o => o.Topics = [first, second]), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.FinishedCount == 12, Patience, "both topics handled");
        await queue.DisposeAsync();

        handler.Finished.GroupBy(c => c.Topic).ToDictionary(g => g.Key, g => g.Count()).Should().Equal(new Dictionary<string, int> { [first] = 5, [second] = 7 });
    }

    [Fact]
    public async Task OffsetLast_NewGroup_StartsAfterWhatIsStored()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, 5);
        var handler = new RecordingHandler();
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Offset, o.Group) = (KafkaQueueOffset.Last, group)), handler);

        var control = queue.Start();
        await Eventually.TrueAsync(() => control.Metrics.Partitions.Count == 1, Patience, "the partition is assigned");
        await Eventually.TrueAsync(
            async () =>
            {
                // The reset to the end happens on the first fetch; produce until a message produced after it arrives.
                await Kafka.ProduceBatchAsync(topic, [new Message<string, string> { Key = "late", Value = "late" }]);
                return handler.FinishedCount > 0;
            },
            Patience,
            "a message produced after the start is handled");
        await queue.DisposeAsync();

        handler.Finished.Should().OnlyContain(c => c.Value == "late", "the 5 messages stored before the group started are skipped");
    }

    [Fact]
    public async Task HandlerFails_WithoutRetry_QueueFailsNamingTheMessage_AndNothingPastItIsCommitted()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, 10);
        var handler = new RecordingHandler { Work = static (c, _) => c.Value == "value-4" ? throw new InvalidOperationException("bad login") : Task.CompletedTask };
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => (o.Processors, o.Group) = (1, group)), handler);

        var control = queue.Start();
        var failure = await FluentActions.Awaiting(() => control.StreamCompletion).Should().ThrowAsync<KafkaQueueException>();

        failure.Which.Topic.Should().Be(topic);
        failure.Which.Offset.Should().Be(4);
        failure.Which.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("bad login");
        failure.Which.Message.Should().Contain($"{topic}[0]@4");
        await control.IsShutdown.WaitAsync(Patience);
        var committed = (await Kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset;
        committed.Should().Match<Offset>(o => o == Offset.Unset || o.Value <= 4, "offset 4 failed, so the commit stops at it");

        // The next incarnation handles the failed message again.
        handler.Work = static (_, _) => Task.CompletedTask;
        var restarted = queue.Start();
        await Eventually.TrueAsync(() => handler.Finished.Count(c => c.Value == "value-4") == 1, Patience, "the failed message is handled again");
        await CommittedToEndAsync(group, topic, 10);
        await queue.DisposeAsync();
        restarted.StreamCompletion.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Crash_WithoutDrain_ThenRestart_EveryMessageProcessed_NoneLost_CommittedToTheEnd()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 3);
        const int count = 600;
        await Kafka.ProduceBatchAsync(topic, Enumerable.Range(0, count).Select(i => new Message<string, string> { Key = $"k{i % 37}", Value = $"v{i}" }));
        var group = KafkaClusterFixture.NewGroupId();
        var processed = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var handler = new RecordingHandler
        {
            Work = async (c, _) =>
            {
                await Task.Yield();
                processed.AddOrUpdate(c.Value, 1, (_, n) => n + 1);
            },
        };
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashingHandler = new RecordingHandler
        {
            // After a third, the calls hang: the crash finds them in flight, as a process killed mid-work would.
            Work = async (c, _) =>
            {
                if (processed.Count >= count / 3)
                {
                    await hanging.Task;
                }

                processed.AddOrUpdate(c.Value, 1, (_, n) => n + 1);
            },
        };

        // The first process: killed (its actor system terminated) in the middle, without draining.
        var crashing = ActorSystem.Create("crashing", SystemConfig);
        try
        {
            var first = new KafkaQueue(crashing, Options(topic, o => (o.Group, o.CommitInterval) = (group, TimeSpan.FromMilliseconds(50))), crashingHandler);
            first.Start();
            await Eventually.TrueAsync(() => processed.Count >= count / 3 && crashingHandler.InFlight > 0, Patience, "a third processed and calls in flight before the crash");
        }
        finally
        {
            await crashing.Terminate();
        }

        var beforeRestart = processed.Count;
        beforeRestart.Should().BeLessThan(count, "the crash came in the middle");

        var second = new KafkaQueue(Sys, Options(topic, o => o.Group = group), handler);
        second.Start();
        await Eventually.TrueAsync(() => processed.Count == count, Patience, "every message processed after the restart");
        await CommittedToEndAsync(group, topic, count);
        await second.DisposeAsync();

        var lost = Enumerable.Range(0, count).Select(i => $"v{i}").Count(v => !processed.ContainsKey(v));
        lost.Should().Be(0);
        var duplicates = processed.Values.Sum() - count;
        Output?.WriteLine($"produced={count} processed={processed.Count} before-restart={beforeRestart} duplicates={duplicates} lost={lost}");
        handler.KeyOverlaps.Should().Be(0);
    }

    [Fact]
    public async Task Stop_DrainsTheCallsInFlight_ThenCommits()
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        await Kafka.ProduceBatchAsync(topic, 3);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Work = (c, _) => c.Value == "value-2" ? gate.Task : Task.CompletedTask };
        var group = KafkaClusterFixture.NewGroupId();
        var queue = new KafkaQueue(Sys, Options(topic, o => o.Group = group), handler);

        queue.Start();
        await Eventually.TrueAsync(() => handler.InFlight == 1 && handler.FinishedCount == 2, Patience, "the last message is being handled");
        var stopping = queue.StopAsync();
        stopping.IsCompleted.Should().BeFalse("the drain waits for the call in flight");
        gate.SetResult();
        await stopping.WaitAsync(Patience);

        handler.FinishedCount.Should().Be(3);
        (await Kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset.Value.Should().Be(3, "the drain commits what finished");
        await queue.DisposeAsync();
    }

    private KafkaQueueOptions Options(string topic, Action<KafkaQueueOptions>? change = null) => QueueTestOptions.For(Kafka, topic, change);

    private async Task CommittedToEndAsync(string group, string topic, int count) =>
        await Eventually.TrueAsync(
            async () => (await Kafka.GetCommittedOffsetsAsync(group, topic)).Where(o => o.Offset != Offset.Unset).Sum(o => o.Offset.Value) == count,
            Patience,
            $"group {group} committed all {count} messages of {topic}");

    private async Task<IReadOnlyList<DeliveryResult<string?, string>>> ProduceAsync(string topic, IEnumerable<(int Partition, Message<string?, string> Message)> messages)
    {
        using var producer = new ProducerBuilder<string?, string>(Kafka.ProducerConfig()).Build();
        var results = new List<DeliveryResult<string?, string>>();
        foreach (var (partition, message) in messages)
        {
            results.Add(await producer.ProduceAsync(new TopicPartition(topic, partition), message));
        }

        return results;
    }
}
