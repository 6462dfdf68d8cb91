using System.Collections.Concurrent;
using System.Globalization;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

public sealed class RebalanceTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly KafkaClusterFixture _kafka;
    private readonly ITestOutputHelper _output;
    private readonly IMaterializer _materializer;

    public RebalanceTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(RebalanceTests), output)
    {
        _kafka = kafka;
        _output = output;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public Task ThreeConsumers_JoinAndLeaveWhileRecordsFlowWithTheEagerProtocol_NothingLostAndKeysInOrderWithinEachAssignment() =>
        JoinAndLeaveAsync("range,roundrobin");

    [Fact]
    public Task ThreeConsumers_JoinAndLeaveWhileRecordsFlowWithCooperativeSticky_NothingLostAndKeysInOrderWithinEachAssignment() =>
        JoinAndLeaveAsync("cooperative-sticky");

    [Fact]
    public Task ThreeConsumers_JoinAndLeaveWhileRecordsFlowWithTheConsumerGroupProtocol_NothingLostAndKeysInOrderWithinEachAssignment() =>
        JoinAndLeaveAsync("group.protocol=consumer", group => KafkaTestSettings.ConsumerOnConsumerProtocol(_kafka, group)
            .WithProperty("max.poll.interval.ms", "3000"));

    [Fact]
    public async Task ConsumerGroupProtocol_MemberLeaves_TheOtherTakesOverItsPartitionsIncrementallyAndReadsOnWhereItsCommitsEnd()
    {
        const int partitions = 6;
        const int before = 600;
        const int after = 600;
        var topic = await _kafka.CreateTopicAsync(partitions);
        var group = KafkaClusterFixture.NewGroupId();
        var log = new ConcurrentQueue<Processed>();
        var ownedByB = new ConcurrentDictionary<int, byte>();
        var revokedFromB = 0;
        await _kafka.ProduceBatchAsync(topic, Enumerable.Range(0, before).Select(i => Numbered(i)));

        var a = Run("a", KafkaTestSettings.ConsumerOnConsumerProtocol(_kafka, group), topic, log);
        await Eventually.TrueAsync(() => log.Count >= before, Patience);
        var handler = new PartitionAssignmentHandler(
            onAssigned: (parts, _) =>
            {
                foreach (var tp in parts)
                {
                    ownedByB[tp.Partition.Value] = 0;
                }
            },
            onRevoked: (parts, consumer) =>
            {
                Interlocked.Add(ref revokedFromB, parts.Count);
                foreach (var tp in parts)
                {
                    ownedByB.TryRemove(tp.Partition.Value, out _);
                }
            });
        var b = Run("b", KafkaTestSettings.ConsumerOnConsumerProtocol(_kafka, group), topic, log, handler);

        // The broker's assignor moves half of a's partitions to b while a keeps the others.
        await Eventually.TrueAsync(() => ownedByB.Count == partitions / 2, Patience);
        await a.Control.DrainAndShutdown(a.Done).WaitAsync(Patience);
        await Eventually.TrueAsync(() => ownedByB.Count == partitions, Patience);
        await _kafka.ProduceBatchAsync(topic, Enumerable.Range(before, after).Select(i => Numbered(i)));
        await Eventually.TrueAsync(async () => (await _kafka.GetCommittedOffsetsAsync(group, topic)).Sum(o => o.Offset.Value) == before + after, Patience);
        var revokedWhileTakingOver = Volatile.Read(ref revokedFromB);
        await b.Control.DrainAndShutdown(b.Done).WaitAsync(Patience);

        var processed = log.ToList();
        processed.Select(p => p.Value).Distinct().Should().HaveCount(before + after, "no record is lost");
        processed.Where(p => p.Value >= before).Should().OnlyContain(p => p.Consumer == "b", "a left before these were produced");
        processed.Where(p => p.Value >= before).Select(p => p.Value).Should().OnlyHaveUniqueItems("b reads on where a's commits end");
        revokedWhileTakingOver.Should().Be(0, "b keeps what it was given while it takes over a's partitions");
        _output.WriteLine($"group.protocol=consumer, takeover: processed {processed.Count}, duplicates {processed.Count - before - after}");
    }

    private Task JoinAndLeaveAsync(string strategy) =>
        JoinAndLeaveAsync($"partition.assignment.strategy={strategy}", group => KafkaTestSettings.Consumer(_kafka, group)
            .WithProperties(new Dictionary<string, string>
            {
                ["session.timeout.ms"] = "3000",
                ["max.poll.interval.ms"] = "3000",
                ["partition.assignment.strategy"] = strategy,
            }));

    private async Task JoinAndLeaveAsync(string protocol, Func<string, ConsumerSettings<string, string>> settingsFor)
    {
        const int records = 50_000;
        const int partitions = 6;
        const int keys = 600;
        var topic = await _kafka.CreateTopicAsync(partitions);
        var group = KafkaClusterFixture.NewGroupId();
        var log = new ConcurrentQueue<Processed>();

        // Record i goes to partition i % 6 with key i % 600, so each key lives in one partition and its values grow with i.
        var producing = ProduceAsync(topic, partitions, records, keys);

        var a = Run("a", settingsFor(group), topic, log);
        await Eventually.TrueAsync(() => log.Count >= records / 5, Patience);
        var b = Run("b", settingsFor(group), topic, log);
        await Eventually.TrueAsync(() => log.Count >= 2 * records / 5 && Assigned(b) > 0, Patience);
        var c = Run("c", settingsFor(group), topic, log);
        await Eventually.TrueAsync(() => log.Count >= 3 * records / 5 && Assigned(c) > 0, Patience);
        await a.Control.DrainAndShutdown(a.Done).WaitAsync(Patience);
        await producing.WaitAsync(Patience);
        await Eventually.TrueAsync(() => log.Select(p => p.Value).Distinct().Count() >= records, Patience);
        await b.Control.DrainAndShutdown(b.Done).WaitAsync(Patience);

        // b left: c takes over b's partitions and commits everything (librdkafka's mock refuses commits while an
        // eager rebalance gathers its members, so a leaving member's last commits may not land and c reads those again;
        // with cooperative-sticky only the partitions that move are revoked, after the group synced).
        try
        {
            await Eventually.TrueAsync(async () => (await _kafka.GetCommittedOffsetsAsync(group, topic)).Sum(o => o.Offset.Value) == records, Patience);
        }
        catch (ExpectationFailedException)
        {
            // What the remaining consumer holds, for the failure's diagnosis.
            var committedNow = await _kafka.GetCommittedOffsetsAsync(group, topic);
            _output.WriteLine($"committed: {string.Join(", ", committedNow.Select(o => $"[{o.Partition.Value}] {o.Offset.Value}"))}");
            var metrics = c.Control.Metrics;
            _output.WriteLine($"c: received {metrics.RecordsReceived}, commits {metrics.Commits}, pauses {metrics.Pauses}, resumes {metrics.Resumes}, rebalances {metrics.Rebalances}");
            foreach (var (partition, state) in metrics.Partitions)
            {
                _output.WriteLine($"c [{partition.Partition.Value}]: {state}");
            }

            throw;
        }

        await c.Control.DrainAndShutdown(c.Done).WaitAsync(Patience);

        var processed = log.ToList();
        processed.Select(p => p.Value).Distinct().Should().HaveCount(records, "no record is lost");
        var duplicates = processed.Count - records;
        _output.WriteLine($"{protocol}: processed {processed.Count}, duplicates {duplicates}");

        // Within one uninterrupted assignment of a partition to a consumer, each key's values arrive in order, once.
        foreach (var assignment in processed.GroupBy(p => (p.Consumer, p.Partition, p.Epoch)))
        {
            foreach (var key in assignment.GroupBy(p => p.Key))
            {
                key.Select(p => p.Value).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems(
                    $"consumer {assignment.Key.Consumer}, partition {assignment.Key.Partition}, key {key.Key}");
            }
        }

        var committed = await _kafka.GetCommittedOffsetsAsync(group, topic);
        committed.Sum(o => o.Offset.Value).Should().Be(records, "every record ends up committed");
    }

    private (IControl Control, Task<Done> Done, int[] Assigned) Run(
        string name, ConsumerSettings<string, string> settings, string topic, ConcurrentQueue<Processed> log, PartitionAssignmentHandler? observer = null)
    {
        var assigned = new int[1];
        var handler = new PartitionAssignmentHandler(
            onAssigned: (parts, consumer) =>
            {
                Interlocked.Add(ref assigned[0], parts.Count);
                observer?.OnAssigned(parts, consumer);
            },
            onRevoked: (parts, consumer) => observer?.OnRevoked(parts, consumer));
        var (control, done) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic).WithPartitionAssignmentHandler(handler))
            .Select(m =>
            {
                var offset = (CommittableOffset)m.CommittableOffset;
                log.Enqueue(new Processed(name, m.Record.Partition.Value, offset.Epoch, m.Record.Message.Key, int.Parse(m.Record.Message.Value, CultureInfo.InvariantCulture)));
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(maxBatch: 200)), Keep.Both)
            .Run(_materializer);
        return (control, done, assigned);
    }

    private static int Assigned((IControl Control, Task<Done> Done, int[] Assigned) consumer) => Volatile.Read(ref consumer.Assigned[0]);

    private async Task ProduceAsync(string topic, int partitions, int records, int keys)
    {
        // The joins and the leave start at shares of the records processed, so they happen while records flow through
        // the consumers however fast production is; slices only bound the deliveries awaited at once.
        const int slice = 500;
        var config = _kafka.ProducerConfig();
        config.LingerMs = 5;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        for (var first = 0; first < records; first += slice)
        {
            var deliveries = Enumerable.Range(first, slice).Select(i => producer.ProduceAsync(
                new TopicPartition(topic, i % partitions),
                new Message<string, string> { Key = $"key-{i % keys}", Value = i.ToString(CultureInfo.InvariantCulture) }));
            await Task.WhenAll(deliveries);
        }
    }

    private static Message<string, string> Numbered(int i) =>
        new() { Key = $"key-{i % 60}", Value = i.ToString(CultureInfo.InvariantCulture) };

    private sealed record Processed(string Consumer, int Partition, int Epoch, string Key, int Value);
}
