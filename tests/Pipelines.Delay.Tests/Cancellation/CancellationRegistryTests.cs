namespace Pipelines.Delay.Tests.Cancellation;

public sealed class CancellationRegistryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    [Fact]
    public void RouterRegistry_KeepsCancellationsOnly()
    {
        var registry = CancellationRegistry.ForRouter(DelaySettings.Default);
        var id = DelayMessageId.New(Now.AddMinutes(10));

        registry.Record(new DelayFact(id, DelayFactKind.Scheduled, Now), Now).Should().Be(FactRecordResult.NotKept);
        registry.Record(new DelayFact(id, DelayFactKind.Delivered, Now), Now).Should().Be(FactRecordResult.NotKept);
        registry.IsCancelled(id).Should().BeFalse();
        registry.Record(new DelayFact(id, DelayFactKind.Cancelled, Now), Now).Should().Be(FactRecordResult.Added);

        registry.IsCancelled(id).Should().BeTrue();
        registry.Count.Should().Be(1);
        registry.CancelledCount.Should().Be(1);
        registry.ExpiryMargin.Should().Be(TimeSpan.FromDays(7));
        registry.MaxEntries.Should().Be(1_000_000);
        registry.KeepsInformationalFacts.Should().BeFalse();
    }

    [Fact]
    public void Record_SameFactTwice_IsAlreadyKnown()
    {
        var registry = Client();
        var fact = new DelayFact(DelayMessageId.New(Now.AddMinutes(1)), DelayFactKind.Cancelled, Now);

        registry.Record(fact, Now).Should().Be(FactRecordResult.Added);
        registry.Record(fact, Now).Should().Be(FactRecordResult.AlreadyKnown);

        registry.CancelledCount.Should().Be(1);
    }

    [Fact]
    public void Status_MergesFactsInAnyOrder_DeliveryOutranksALateCancel()
    {
        var orders = new[]
        {
            new[] { DelayFactKind.Scheduled, DelayFactKind.Cancelled, DelayFactKind.Delivered },
            new[] { DelayFactKind.Delivered, DelayFactKind.Cancelled, DelayFactKind.Scheduled },
            new[] { DelayFactKind.Cancelled, DelayFactKind.Delivered },
        };
        foreach (var order in orders)
        {
            var registry = Client();
            var id = DelayMessageId.New(Now.AddMinutes(1));
            foreach (var kind in order)
            {
                registry.Record(new DelayFact(id, kind, Now.AddSeconds((int)kind)), Now);
            }

            registry.Status(id).Should().Be(DelayMessageStatus.Delivered);
            registry.IsCancelled(id).Should().BeTrue("a redelivery after the late cancel is still dropped");
            registry.TryGetTimes(id, out var cancelledAt, out var deliveredAt).Should().BeTrue();
            cancelledAt.Should().Be(Now.AddSeconds(2));
            deliveredAt.Should().Be(Now.AddSeconds(3));
        }
    }

    [Fact]
    public void Status_OfEachSingleFact()
    {
        var registry = Client();
        var scheduled = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(1));
        var cancelled = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(1));

        registry.Status(scheduled).Should().Be(DelayMessageStatus.Scheduled);
        registry.Status(cancelled).Should().Be(DelayMessageStatus.Cancelled);
        registry.Status(DelayMessageId.New(Now)).Should().Be(DelayMessageStatus.Unknown);
        registry.TryGetTimes(DelayMessageId.New(Now), out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Record_FactOfAMessageDueLongerAgoThanTheMargin_IsExpired()
    {
        var registry = Client();
        var old = DelayMessageId.New(Now - Margin);

        registry.Record(new DelayFact(old, DelayFactKind.Cancelled, Now - Margin), Now).Should().Be(FactRecordResult.Expired);
        registry.Record(new DelayFact(DelayMessageId.New(Now - Margin + TimeSpan.FromMilliseconds(1)), DelayFactKind.Cancelled, Now), Now)
            .Should().Be(FactRecordResult.Added);
        registry.Count.Should().Be(1);
    }

    [Fact]
    public void Expire_ForgetsFactsOnceTheirMessageWasDueLongerAgoThanTheMargin()
    {
        var registry = Client();
        var soon = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(1));
        var later = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(10));
        var latest = Add(registry, DelayFactKind.Cancelled, Now.AddHours(5));

        registry.Expire(Now.AddMinutes(1) + Margin - TimeSpan.FromMilliseconds(1)).Should().Be(0);
        registry.Expire(Now.AddMinutes(1) + Margin).Should().Be(1);

        registry.IsCancelled(soon).Should().BeFalse();
        registry.Status(later).Should().Be(DelayMessageStatus.Scheduled);
        registry.CancelledCount.Should().Be(1);
        registry.Expire(Now.AddDays(1)).Should().Be(2);
        registry.Count.Should().Be(0);
        registry.CancelledCount.Should().Be(0);
        registry.IsCancelled(latest).Should().BeFalse();
    }

    [Fact]
    public void Record_WhenFull_ForgetsTheSoonestDueInformationalFact_NeverACancellation()
    {
        var registry = new CancellationRegistry(Margin, maxEntries: 3, keepInformationalFacts: true);
        var cancelledSoon = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(1));
        var scheduledLater = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(20));
        var scheduledSoon = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(2));

        var newest = DelayMessageId.New(Now.AddMinutes(30));
        registry.Record(new DelayFact(newest, DelayFactKind.Cancelled, Now), Now).Should().Be(FactRecordResult.Added);

        registry.Count.Should().Be(3);
        registry.Status(scheduledSoon).Should().Be(DelayMessageStatus.Unknown, "the soonest-due informational fact made room");
        registry.Status(scheduledLater).Should().Be(DelayMessageStatus.Scheduled);
        registry.IsCancelled(cancelledSoon).Should().BeTrue();
        registry.IsCancelled(newest).Should().BeTrue();
    }

    [Fact]
    public void Record_WhenFullOfCancellations_RefusesAndKeepsThemAll()
    {
        var registry = new CancellationRegistry(Margin, maxEntries: 2, keepInformationalFacts: true);
        var first = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(1));
        var second = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(2));

        registry.Record(new DelayFact(DelayMessageId.New(Now.AddMinutes(3)), DelayFactKind.Cancelled, Now), Now).Should().Be(FactRecordResult.Full);
        registry.Record(new DelayFact(DelayMessageId.New(Now.AddMinutes(3)), DelayFactKind.Scheduled, Now), Now).Should().Be(FactRecordResult.Full);
        registry.Record(new DelayFact(first, DelayFactKind.Delivered, Now), Now).Should().Be(FactRecordResult.Added, "a fact about a held message needs no room");

        registry.IsCancelled(first).Should().BeTrue();
        registry.IsCancelled(second).Should().BeTrue();
        registry.Count.Should().Be(2);
    }

    [Fact]
    public void Record_ScheduledThenCancelled_IsNoLongerEvictable()
    {
        var registry = new CancellationRegistry(Margin, maxEntries: 1, keepInformationalFacts: true);
        var id = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(1));
        registry.Record(new DelayFact(id, DelayFactKind.Cancelled, Now), Now).Should().Be(FactRecordResult.Added);

        registry.Record(new DelayFact(DelayMessageId.New(Now.AddMinutes(2)), DelayFactKind.Scheduled, Now), Now).Should().Be(FactRecordResult.Full);

        registry.IsCancelled(id).Should().BeTrue();
    }

    [Fact]
    public void Memory_StaysBoundedUnderAStreamOfFacts()
    {
        var registry = new CancellationRegistry(TimeSpan.FromMinutes(1), maxEntries: 1_000, keepInformationalFacts: true);
        var random = new Random(9);
        var now = Now;
        var cancelled = new List<DelayMessageId>();
        var peak = 0;
        for (var i = 0; i < 200_000; i++)
        {
            now = now.AddMilliseconds(5);
            var id = DelayMessageId.New(now.AddSeconds(random.Next(0, 120)));
            // About 30,000 messages are live at a time (a fact every 5 ms, kept about 2.5 minutes); 1 in 100 is cancelled.
            var kind = random.Next(100) == 0 ? DelayFactKind.Cancelled : DelayFactKind.Scheduled;
            var result = registry.Record(new DelayFact(id, kind, now), now);
            result.Should().NotBe(FactRecordResult.Full, "cancellations never fill the registry at this rate");
            if (kind == DelayFactKind.Cancelled)
            {
                cancelled.Add(id);
            }

            if (i % 100 == 0)
            {
                registry.Expire(now);
            }

            registry.Count.Should().BeLessThanOrEqualTo(1_000);
            peak = Math.Max(peak, registry.Count);
        }

        peak.Should().Be(1_000, "the registry filled up and made room by forgetting Scheduled facts");

        registry.Expire(now);
        cancelled.Where(id => id.DueTime + TimeSpan.FromMinutes(1) > now).Should().OnlyContain(id => registry.IsCancelled(id), "no live cancellation is lost");
    }

    [Fact]
    public void DecideDelivery_WaitsUntilCaughtUpAsOfTheDueTime_ThenDeliversOrDrops()
    {
        var registry = CancellationRegistry.ForRouter(DelaySettings.Default);
        var due = Now.AddSeconds(30);
        var kept = DelayMessageId.New(due);
        var cancelled = DelayMessageId.New(due);
        registry.Record(new DelayFact(cancelled, DelayFactKind.Cancelled, Now), Now);

        registry.CaughtUpAsOf.Should().Be(DateTimeOffset.MinValue);
        registry.DecideDelivery(kept, due).Should().Be(DeliveryDecision.WaitForCancellations);
        registry.DecideDelivery(cancelled, due).Should().Be(DeliveryDecision.Drop, "a known cancellation needs no waiting");

        registry.MarkCaughtUp(due - TimeSpan.FromMilliseconds(1));
        registry.DecideDelivery(kept, due).Should().Be(DeliveryDecision.WaitForCancellations);
        registry.MarkCaughtUp(due);
        registry.DecideDelivery(kept, due).Should().Be(DeliveryDecision.Deliver);
        registry.MarkCaughtUp(Now);
        registry.CaughtUpAsOf.Should().Be(due, "the caught-up time never moves back");
    }

    [Fact]
    public void DecideDelivery_KnownDelivery_IsADuplicate()
    {
        var registry = Client();
        var id = Add(registry, DelayFactKind.Delivered, Now.AddSeconds(1));
        registry.MarkCaughtUp(Now.AddSeconds(5));

        registry.DecideDelivery(id, Now.AddSeconds(1)).Should().Be(DeliveryDecision.SkipDuplicate);
    }

    [Fact]
    public void DecideDelivery_AndIsCancelled_AllocateNothing()
    {
        var registry = CancellationRegistry.ForRouter(DelaySettings.Default);
        var ids = Enumerable.Range(0, 100).Select(i => DelayMessageId.New(Now.AddSeconds(i))).ToArray();
        foreach (var id in ids.Where((_, i) => i % 2 == 0))
        {
            registry.Record(new DelayFact(id, DelayFactKind.Cancelled, Now), Now);
        }

        registry.MarkCaughtUp(Now.AddMinutes(5));
        Decide(registry, ids);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var dropped = Decide(registry, ids);

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        dropped.Should().Be(5_000);
    }

    [Fact]
    public void CheckCancel_AnswersEachCase()
    {
        var registry = Client();
        var pending = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(5));
        var due = Add(registry, DelayFactKind.Scheduled, Now.AddSeconds(-1));
        var delivered = Add(registry, DelayFactKind.Scheduled, Now.AddSeconds(-10));
        registry.Record(new DelayFact(delivered, DelayFactKind.Delivered, Now.AddSeconds(-9)), Now);
        var cancelled = Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(5));
        registry.MarkCaughtUp(Now);

        registry.CheckCancel(pending, Now, schedulesRecorded: true).Should().Be(CancelOutcome.Cancelled);
        registry.CheckCancel(due, Now, schedulesRecorded: true).Should().Be(CancelOutcome.TooLate);
        registry.CheckCancel(delivered, Now, schedulesRecorded: true).Should().Be(CancelOutcome.AlreadyDelivered);
        registry.CheckCancel(cancelled, Now, schedulesRecorded: true).Should().Be(CancelOutcome.AlreadyCancelled);
        registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(5)), Now, schedulesRecorded: true).Should().Be(CancelOutcome.Unknown);
        registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(5)), Now, schedulesRecorded: false).Should().Be(CancelOutcome.Cancelled, "without Scheduled facts no id is unknown");
        registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(-5)), Now, schedulesRecorded: false).Should().Be(CancelOutcome.TooLate);
    }

    [Fact]
    public void CheckCancel_ScheduledFactEvictedForRoom_IsNeverAnsweredUnknown()
    {
        var registry = new CancellationRegistry(Margin, maxEntries: 2, keepInformationalFacts: true);
        var evicted = Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(2));
        Add(registry, DelayFactKind.Scheduled, Now.AddMinutes(20));
        registry.ForgottenThrough.Should().BeNull();

        Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(30));
        registry.MarkCaughtUp(Now);

        registry.Status(evicted).Should().Be(DelayMessageStatus.Unknown, "its Scheduled fact made room");
        registry.ForgottenThrough.Should().Be(evicted.DueTime);
        registry.CheckCancel(evicted, Now, schedulesRecorded: true).Should().Be(CancelOutcome.Cancelled, "the id may be scheduled: its fact was forgotten, not absent");
        registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(1)), Now, schedulesRecorded: true).Should().Be(CancelOutcome.Cancelled);
        registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(2).AddMilliseconds(1)), Now, schedulesRecorded: true)
            .Should().Be(CancelOutcome.Unknown, "no fact due after the forgotten one was ever dropped");
    }

    [Fact]
    public void CheckCancel_ScheduledFactRefusedWhenFull_IsNeverAnsweredUnknown()
    {
        var registry = new CancellationRegistry(Margin, maxEntries: 1, keepInformationalFacts: true);
        Add(registry, DelayFactKind.Cancelled, Now.AddMinutes(1));
        var refused = DelayMessageId.New(Now.AddMinutes(10));

        registry.Record(new DelayFact(refused, DelayFactKind.Scheduled, Now), Now).Should().Be(FactRecordResult.Full);
        registry.MarkCaughtUp(Now);

        registry.ForgottenThrough.Should().Be(refused.DueTime);
        registry.CheckCancel(refused, Now, schedulesRecorded: true).Should().Be(CancelOutcome.Cancelled);
    }

    [Fact]
    public void CheckCancel_NotCaughtUp_Throws()
    {
        var registry = Client();
        registry.MarkCaughtUp(Now.AddSeconds(-1));

        var act = () => registry.CheckCancel(DelayMessageId.New(Now.AddMinutes(1)), Now, schedulesRecorded: true);

        act.Should().Throw<InvalidOperationException>().WithMessage("The cancellation registry has read the topic only as of 2026-12-02T11:59:59.0000000+00:00, not as of 2026-12-02T12:00:00.0000000+00:00*");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var negative = () => new CancellationRegistry(TimeSpan.FromSeconds(-1), 10, true);
        var empty = () => new CancellationRegistry(Margin, 0, true);

        negative.Should().Throw<ArgumentOutOfRangeException>();
        empty.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static int Decide(CancellationRegistry registry, DelayMessageId[] ids)
    {
        var dropped = 0;
        for (var round = 0; round < 100; round++)
        {
            foreach (var id in ids)
            {
                dropped += registry.DecideDelivery(id, id.DueTime) == DeliveryDecision.Drop && registry.IsCancelled(id) ? 1 : 0;
            }
        }

        return dropped;
    }

    private static CancellationRegistry Client() => new(Margin, maxEntries: 1_000, keepInformationalFacts: true);

    private static DelayMessageId Add(CancellationRegistry registry, DelayFactKind kind, DateTimeOffset due)
    {
        var id = DelayMessageId.New(due);
        registry.Record(new DelayFact(id, kind, Now), Now).Should().Be(FactRecordResult.Added);
        return id;
    }
}
