using System.Text;
using Confluent.Kafka;
using Pipelines.TestKit.Kafka;
using static Pipelines.Delay.Tests.Client.DelayQueueTestKit;

namespace Pipelines.Delay.Tests.Client;

using Headers = Confluent.Kafka.Headers;

public sealed class DelayQueueScheduleTests : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);
    private readonly KafkaClusterFixture _kafka;

    public DelayQueueScheduleTests(KafkaClusterFixture kafka) => _kafka = kafka;

    [Fact]
    public async Task ScheduleAsync_DelaysAtAndAroundEachTierBoundary_StoredIntactInTheLargestTierNotExceedingThem()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        var now = clock.GetUtcNow();
        await using var queue = Queue(_kafka, settings, clock);
        var tiers = settings.Tiers;

        // The oracle, written out: just below a boundary stays in the tier before it (the first tier for delays shorter
        // than every tier); at and just above a boundary goes to that boundary's tier.
        var cases = new List<(TimeSpan Delay, TimeSpan Tier, int? TargetPartition)>();
        for (var i = 0; i < tiers.Count; i++)
        {
            cases.Add((tiers[i] - OneMs, tiers[Math.Max(i - 1, 0)], null));
            cases.Add((tiers[i], tiers[i], i % 4));
            cases.Add((tiers[i] + OneMs, tiers[i], null));
        }

        cases.Add((settings.MaxDelay, tiers[^1], 7));
        var target = KafkaClusterFixture.NewTopicName();
        var results = new List<(ScheduledMessage Scheduled, (TimeSpan Delay, TimeSpan Tier, int? TargetPartition) Case, Headers Headers)>();
        for (var i = 0; i < cases.Count; i++)
        {
            var headers = UserHeadersFor(i);
            var scheduled = await queue.ScheduleAsync(target, Key(i), Value(i), headers, cases[i].Delay, cases[i].TargetPartition);
            results.Add((scheduled, cases[i], headers));
        }

        var stored = await ReadStoredAsync(_kafka, results.Select(r => r.Scheduled));
        for (var i = 0; i < results.Count; i++)
        {
            var (scheduled, (delay, tier, targetPartition), headers) = results[i];
            var because = $"a delay of {delay} belongs in the {tier} tier";
            scheduled.Tier.Delay.Should().Be(tier, because);
            scheduled.Topic.Should().Be(settings.TopicPrefix + DelayTier.Label(tier));
            scheduled.DueTime.Should().Be(now + delay);
            scheduled.Id.DueTime.Should().Be(now + delay);
            scheduled.ScheduledAt.Should().Be(now);
            scheduled.TargetTopic.Should().Be(target);
            scheduled.TargetPartition.Should().Be(targetPartition);

            var record = stored[(scheduled.Topic, scheduled.Partition, scheduled.Offset)];
            record.Message.Key.Should().Equal(Key(i));
            record.Message.Value.Should().Equal(Value(i));
            record.Message.Timestamp.UnixTimestampMs.Should().Be(now.ToUnixTimeMilliseconds(), "the record's timestamp is the scheduling time the tier was chosen by");
            UserHeaders(record.Message.Headers).Should().BeEquivalentTo(UserHeaders(headers), o => o.WithStrictOrdering(), "user headers are kept byte for byte, in order");
            var envelope = DelayHeaders.Read(record.Message.Headers, record.Topic, record.Partition.Value, record.Offset.Value);
            envelope.Should().Be(new DelayEnvelope(scheduled.Id, now + delay, target, targetPartition, now));
            record.Message.Headers.Any(h => h.Key == PipelinesHeaders.DelayTargetPartition).Should().Be(targetPartition is not null);
        }
    }

    [Fact]
    public async Task ScheduleAsync_DueTimeAlreadyPassedOrZeroDelay_GoesToTheSmallestTier()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        var now = clock.GetUtcNow();
        await using var queue = Queue(_kafka, settings, clock);
        var target = KafkaClusterFixture.NewTopicName();

        var passed = await queue.ScheduleAsync(target, Key(1), Value(1), null, now.AddMinutes(-5));
        var zero = await queue.ScheduleAsync(target, Key(2), Value(2), null, TimeSpan.Zero);
        var exactlyNow = await queue.ScheduleAsync(target, Key(3), Value(3), null, now);

        foreach (var scheduled in new[] { passed, zero, exactlyNow })
        {
            scheduled.Tier.Should().BeSameAs(queue.Tiers.Smallest);
        }

        passed.DueTime.Should().Be(now.AddMinutes(-5), "the due time is kept, so a router delivers it at once");
        zero.DueTime.Should().Be(now);
        var stored = await ReadStoredAsync(_kafka, [passed]);
        DelayHeaders.ReadDueTime(stored.Values.Single().Message.Headers, passed.Topic, passed.Partition, passed.Offset).Should().Be(now.AddMinutes(-5));
    }

    [Fact]
    public async Task ScheduleAsync_DueTimeBetweenMilliseconds_IsRoundedUpNeverEarly()
    {
        var settings = UniqueSettings();
        var clock = Clock();
        var now = clock.GetUtcNow();
        await using var queue = Queue(_kafka, settings, clock);
        var requested = now + TimeSpan.FromSeconds(2) + TimeSpan.FromTicks(3_000);

        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), null, Value(0), null, requested);

        scheduled.DueTime.Should().Be(now + TimeSpan.FromSeconds(2) + OneMs);
        scheduled.Id.DueTime.Should().Be(scheduled.DueTime);
    }

    [Fact]
    public async Task ScheduleAsync_BeyondMaxDelay_FailsAndStoresNothing()
    {
        var settings = UniqueSettings().WithMaxDelay(TimeSpan.FromHours(3));
        var clock = Clock();
        await using var queue = Queue(_kafka, settings, clock);
        var target = KafkaClusterFixture.NewTopicName();

        var act = () => queue.ScheduleAsync(target, Key(0), Value(0), null, TimeSpan.FromHours(3) + OneMs);

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("max-delay").And.Contain(target);
        var facts = await ReadFactsAsync(_kafka, settings, expected: 0);
        facts.Should().BeEmpty("nothing is written for a refused message");
        (await queue.ScheduleAsync(target, Key(0), Value(0), null, TimeSpan.FromHours(3))).Tier.Delay.Should().Be(TimeSpan.FromHours(2));
    }

    [Fact]
    public async Task ScheduleAsync_TargetIsOneOfTheQueuesOwnTopics_IsRefused()
    {
        var settings = UniqueSettings();
        await using var queue = Queue(_kafka, settings, Clock());

        var intoTier = () => queue.ScheduleAsync(queue.Tiers[2].Topic, null, null, null, TimeSpan.FromSeconds(1));
        var intoCancellations = () => queue.ScheduleAsync(settings.CancellationTopic, null, null, null, TimeSpan.FromSeconds(1));

        await intoTier.Should().ThrowAsync<ArgumentException>().WithMessage("*one of the delay queue's own topics*");
        await intoCancellations.Should().ThrowAsync<ArgumentException>().WithMessage("*one of the delay queue's own topics*");
    }

    [Fact]
    public async Task ScheduleAsync_UserHeadersInstance_IsNotModified()
    {
        await using var queue = Queue(_kafka, UniqueSettings(), Clock());
        var headers = UserHeadersFor(3);
        var before = UserHeaders(headers);

        await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), Key(3), Value(3), headers, TimeSpan.FromSeconds(10));

        headers.Count.Should().Be(before.Count);
        UserHeaders(headers).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task ScheduleAsync_ManyMessages_IdsAreUniqueAndSortByDueTime()
    {
        var clock = Clock();
        var now = clock.GetUtcNow();
        await using var queue = Queue(_kafka, UniqueSettings(), clock);
        var target = KafkaClusterFixture.NewTopicName();
        var random = new Random(12);
        var delays = Enumerable.Range(0, 300).Select(_ => TimeSpan.FromMilliseconds(random.Next(0, 3_600_000))).ToList();
        delays.AddRange(Enumerable.Repeat(TimeSpan.FromSeconds(42), 50));

        var scheduled = await Task.WhenAll(delays.Select((delay, i) => queue.ScheduleAsync(target, Key(i), Value(i), null, delay)));

        scheduled.Select(s => s.Id).Should().OnlyHaveUniqueItems("50 of them share one due time");
        scheduled.Should().OnlyContain(s => s.Id.DueTime == s.DueTime);
        scheduled.Select((s, i) => s.DueTime - now).Should().Equal(delays);
        var byId = scheduled.OrderBy(s => s.Id).ToList();
        byId.Select(s => s.DueTime).Should().BeInAscendingOrder();
        scheduled.OrderBy(s => s.Id.ToString(), StringComparer.Ordinal).Should().Equal(byId, "the text form sorts as the id does");
    }

    [Fact]
    public async Task ScheduleAsync_RecordSchedulesOn_WritesTheScheduledFact_OffWritesNone()
    {
        var on = UniqueSettings();
        var off = UniqueSettings().WithRecordSchedules(false);
        var clock = Clock();
        await using var recording = Queue(_kafka, on, clock);
        await using var silent = Queue(_kafka, off, clock);
        var target = KafkaClusterFixture.NewTopicName();

        var first = await recording.ScheduleAsync(target, Key(1), Value(1), null, TimeSpan.FromMinutes(3));
        var second = await recording.ScheduleAsync(target, Key(2), Value(2), null, TimeSpan.FromSeconds(3));
        await silent.ScheduleAsync(target, Key(3), Value(3), null, TimeSpan.FromMinutes(3));

        (await ReadFactsAsync(_kafka, on, expected: 2)).Should().BeEquivalentTo(new[]
        {
            new DelayFact(first.Id, DelayFactKind.Scheduled, clock.GetUtcNow()),
            new DelayFact(second.Id, DelayFactKind.Scheduled, clock.GetUtcNow()),
        });
        (await ReadFactsAsync(_kafka, off, expected: 0)).Should().BeEmpty();
    }

    [Fact]
    public async Task ScheduleAsync_TypedWithSerializers_StoresTheSerializedKeyAndValue()
    {
        var clock = Clock();
        await using var queue = Queue(_kafka, UniqueSettings(), clock);

        var scheduled = await queue.ScheduleAsync(
            KafkaClusterFixture.NewTopicName(), "order-17", 4711L, Serializers.Utf8, Serializers.Int64, null, TimeSpan.FromSeconds(30));

        var record = (await ReadStoredAsync(_kafka, [scheduled])).Values.Single();
        record.Message.Key.Should().Equal(Encoding.UTF8.GetBytes("order-17"));
        Deserializers.Int64.Deserialize(record.Message.Value, false, SerializationContext.Empty).Should().Be(4711L);
        scheduled.Tier.Delay.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ScheduleAsync_NullKeyAndValue_AreStoredAsNull()
    {
        await using var queue = Queue(_kafka, UniqueSettings(), Clock());

        var scheduled = await queue.ScheduleAsync(KafkaClusterFixture.NewTopicName(), null, null, null, TimeSpan.FromSeconds(5));

        var record = (await ReadStoredAsync(_kafka, [scheduled])).Values.Single();
        record.Message.Key.Should().BeNull();
        record.Message.Value.Should().BeNull("a tombstone stays a tombstone");
    }

    [Fact]
    public async Task ScheduleAsync_AfterDispose_Throws()
    {
        var queue = Queue(_kafka, UniqueSettings(), Clock());
        await queue.DisposeAsync();

        var act = () => queue.ScheduleAsync("target", null, null, null, TimeSpan.FromSeconds(1));

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public void Constructor_AcksOtherThanAll_IsRefused()
    {
        var settings = ProducerSettings(_kafka).WithProperty("acks", "1");

        var act = () => new DelayQueue(UniqueSettings(), settings, Options(_kafka, TimeProvider.System));

        act.Should().Throw<ArgumentException>().WithMessage("*acks=all*\"1\"*");
    }

    internal static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i}");

    internal static byte[] Value(int i) => [.. Encoding.UTF8.GetBytes($"value-{i}"), 0, 255, (byte)i];

    private static Headers UserHeadersFor(int i) => new()
    {
        { "trace", Encoding.UTF8.GetBytes($"trace-{i}") },
        { "trace", Encoding.UTF8.GetBytes("repeated") },
        { "empty", [] },
        { "nothing", null },
        { "binary", [0, 255, (byte)i] },
    };
}
