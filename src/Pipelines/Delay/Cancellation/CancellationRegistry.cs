namespace Pipelines.Delay;

/// <summary>
/// The in-memory view of the cancellation topic that a router (or a scheduling client) builds by reading the topic from
/// the beginning: which messages are cancelled, and — when it keeps them — which were scheduled or delivered. Each fact
/// expires once its message's due time (carried in its id) is longer ago than the expiry margin. Memory is bounded by
/// <see cref="MaxEntries"/>. Not thread-safe: one stage or actor owns it.
/// </summary>
/// <remarks>
/// <para>
/// Cancellation is accepted when its record is acknowledged. To guarantee that a message cancelled before its due time is
/// never delivered, a router delivers a due message only when the registry has read the topic as of that due time:
/// the reader notes the topic's high watermarks at a time <c>T</c> and, once it has applied every record below them,
/// calls <see cref="MarkCaughtUp"/>(T). An acknowledged record lies below the high watermark, so every cancel acknowledged
/// before <c>T</c> is known by then (<see cref="DecideDelivery"/> says <see cref="DeliveryDecision.WaitForCancellations"/>
/// until it is). Clocks of clients and routers that disagree shift this deadline by their difference.
/// </para>
/// <para>
/// When full, the registry makes room by forgetting the Scheduled or Delivered fact of the message due soonest; it never
/// forgets a cancellation, and refuses (<see cref="FactRecordResult.Full"/>) a fact it has no room for.
/// </para>
/// </remarks>
public sealed class CancellationRegistry
{
    private readonly Dictionary<DelayMessageId, Entry> _entries = [];

    // Both queues are ordered by id, that is by due time, that is by expiry; entries they still hold after an entry was
    // removed or became a cancellation are skipped when they reach the head.
    private readonly PriorityQueue<DelayMessageId, DelayMessageId> _byExpiry = new();
    private readonly PriorityQueue<DelayMessageId, DelayMessageId> _evictable = new();
    private readonly long _expiryMarginMs;
    private DateTimeOffset _caughtUpAsOf = DateTimeOffset.MinValue;
    private long _forgottenThroughMs = -1;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="expiryMargin">How long after its message's due time a fact is kept.</param>
    /// <param name="maxEntries">The most messages the registry holds facts about.</param>
    /// <param name="keepInformationalFacts">Whether Scheduled and Delivered facts are kept (a client answering cancels, a router skipping duplicates), or only cancellations.</param>
    public CancellationRegistry(TimeSpan expiryMargin, int maxEntries, bool keepInformationalFacts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expiryMargin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ExpiryMargin = expiryMargin;
        _expiryMarginMs = expiryMargin.Ticks / TimeSpan.TicksPerMillisecond;
        MaxEntries = maxEntries;
        KeepsInformationalFacts = keepInformationalFacts;
    }

    /// <summary>How long after its message's due time a fact is kept.</summary>
    public TimeSpan ExpiryMargin { get; }

    /// <summary>The most messages the registry holds facts about.</summary>
    public int MaxEntries { get; }

    /// <summary>Whether Scheduled and Delivered facts are kept, or only cancellations.</summary>
    public bool KeepsInformationalFacts { get; }

    /// <summary>The number of messages the registry holds facts about.</summary>
    public int Count => _entries.Count;

    /// <summary>The number of cancelled messages held (delivered ones included).</summary>
    public int CancelledCount { get; private set; }

    /// <summary>
    /// The latest due time of a message one of whose facts the registry evicted or refused for lack of room, or
    /// <see langword="null"/> when it never had to. An id due at or before it may have lost its Scheduled fact, so
    /// <see cref="CheckCancel"/> never answers <see cref="CancelOutcome.Unknown"/> for it.
    /// </summary>
    public DateTimeOffset? ForgottenThrough => _forgottenThroughMs < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_forgottenThroughMs);

    /// <summary>The time as of which every acknowledged fact has been read (see <see cref="MarkCaughtUp"/>); <see cref="DateTimeOffset.MinValue"/> before the first.</summary>
    public DateTimeOffset CaughtUpAsOf => _caughtUpAsOf;

    /// <summary>A router's registry from <paramref name="settings"/>: cancellations only, kept until due + retention margin, at most <see cref="DelaySettings.CancellationMaxEntries"/>.</summary>
    public static CancellationRegistry ForRouter(DelaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CancellationRegistry(settings.RetentionMargin, settings.CancellationMaxEntries, keepInformationalFacts: false);
    }

    /// <summary>A scheduling client's registry from <paramref name="settings"/>: every fact, to answer cancels.</summary>
    public static CancellationRegistry ForClient(DelaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CancellationRegistry(settings.RetentionMargin, settings.CancellationMaxEntries, keepInformationalFacts: true);
    }

    /// <summary>Records a fact read from the cancellation topic at <paramref name="now"/>.</summary>
    public FactRecordResult Record(in DelayFact fact, DateTimeOffset now)
    {
        if (!Enum.IsDefined(fact.Kind))
        {
            throw new ArgumentException($"Unknown fact kind {(byte)fact.Kind}.", nameof(fact));
        }

        if (fact.Kind != DelayFactKind.Cancelled && !KeepsInformationalFacts)
        {
            return FactRecordResult.NotKept;
        }

        if (ExpiresAtMs(fact.Id) <= now.ToUnixTimeMilliseconds())
        {
            return FactRecordResult.Expired;
        }

        var flag = FlagOf(fact.Kind);
        var atMs = fact.At.ToUnixTimeMilliseconds();
        if (_entries.TryGetValue(fact.Id, out var entry))
        {
            if ((entry.Flags & flag) != 0)
            {
                return FactRecordResult.AlreadyKnown;
            }

            if (fact.Kind == DelayFactKind.Cancelled)
            {
                CancelledCount++;
            }

            _entries[fact.Id] = entry.With(fact.Kind, flag, atMs);
            return FactRecordResult.Added;
        }

        if (_entries.Count >= MaxEntries && !TryEvictOne())
        {
            NoteForgotten(fact.Id);
            return FactRecordResult.Full;
        }

        _entries.Add(fact.Id, default(Entry).With(fact.Kind, flag, atMs));
        _byExpiry.Enqueue(fact.Id, fact.Id);
        if (fact.Kind == DelayFactKind.Cancelled)
        {
            CancelledCount++;
        }
        else
        {
            _evictable.Enqueue(fact.Id, fact.Id);
        }

        return FactRecordResult.Added;
    }

    /// <summary>True when the message <paramref name="id"/> is cancelled (whether or not it was delivered before the cancel). Allocates nothing.</summary>
    public bool IsCancelled(DelayMessageId id) => _entries.TryGetValue(id, out var entry) && (entry.Flags & Flags.Cancelled) != 0;

    /// <summary>What the registry knows about <paramref name="id"/>; a delivery outranks a cancel that came too late.</summary>
    public DelayMessageStatus Status(DelayMessageId id)
    {
        if (!_entries.TryGetValue(id, out var entry))
        {
            return DelayMessageStatus.Unknown;
        }

        return (entry.Flags & Flags.Delivered) != 0 ? DelayMessageStatus.Delivered
            : (entry.Flags & Flags.Cancelled) != 0 ? DelayMessageStatus.Cancelled
            : DelayMessageStatus.Scheduled;
    }

    /// <summary>When the message <paramref name="id"/> was cancelled or delivered, by the writer's clock, if the registry knows.</summary>
    public bool TryGetTimes(DelayMessageId id, out DateTimeOffset? cancelledAt, out DateTimeOffset? deliveredAt)
    {
        cancelledAt = deliveredAt = null;
        if (!_entries.TryGetValue(id, out var entry))
        {
            return false;
        }

        if ((entry.Flags & Flags.Cancelled) != 0)
        {
            cancelledAt = DateTimeOffset.FromUnixTimeMilliseconds(entry.CancelledAtMs);
        }

        if ((entry.Flags & Flags.Delivered) != 0)
        {
            deliveredAt = DateTimeOffset.FromUnixTimeMilliseconds(entry.DeliveredAtMs);
        }

        return true;
    }

    /// <summary>Notes that every fact acknowledged before <paramref name="asOf"/> has been recorded; the time never moves back.</summary>
    public void MarkCaughtUp(DateTimeOffset asOf)
    {
        if (asOf > _caughtUpAsOf)
        {
            _caughtUpAsOf = asOf;
        }
    }

    /// <summary>True when every fact acknowledged before <paramref name="asOf"/> has been recorded.</summary>
    public bool IsCaughtUp(DateTimeOffset asOf) => _caughtUpAsOf >= asOf;

    /// <summary>
    /// What a router does with the message <paramref name="id"/>, due at <paramref name="dueTime"/>, once it is due:
    /// drop it when cancelled, skip it when already delivered, wait while the registry has not read the topic as of its
    /// due time, deliver it otherwise. Allocates nothing.
    /// </summary>
    public DeliveryDecision DecideDelivery(DelayMessageId id, DateTimeOffset dueTime)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            if ((entry.Flags & Flags.Delivered) != 0)
            {
                return DeliveryDecision.SkipDuplicate;
            }

            if ((entry.Flags & Flags.Cancelled) != 0)
            {
                return DeliveryDecision.Drop;
            }
        }

        return _caughtUpAsOf >= dueTime ? DeliveryDecision.Deliver : DeliveryDecision.WaitForCancellations;
    }

    /// <summary>
    /// What cancelling <paramref name="id"/> at <paramref name="now"/> amounts to. For <see cref="CancelOutcome.Cancelled"/>
    /// and <see cref="CancelOutcome.TooLate"/> the client writes a Cancelled fact and gives that answer once the record
    /// is acknowledged; for the others it writes nothing. Without Scheduled facts (<c>record-schedules = off</c>, or a
    /// registry that does not keep them) an id is never <see cref="CancelOutcome.Unknown"/>, nor is one due at or before
    /// <see cref="ForgottenThrough"/>.
    /// </summary>
    /// <param name="id">The message to cancel.</param>
    /// <param name="now">The client's clock.</param>
    /// <param name="schedulesRecorded">Whether scheduling clients record Scheduled facts (<see cref="DelaySettings.RecordSchedules"/>), so that a missing one means the id is unknown.</param>
    /// <exception cref="InvalidOperationException">The registry has not read the topic as of <paramref name="now"/> (see <see cref="IsCaughtUp"/>): its answer could be stale.</exception>
    public CancelOutcome CheckCancel(DelayMessageId id, DateTimeOffset now, bool schedulesRecorded)
    {
        if (!IsCaughtUp(now))
        {
            throw new InvalidOperationException(
                $"The cancellation registry has read the topic only as of {(_caughtUpAsOf == DateTimeOffset.MinValue ? "never" : _caughtUpAsOf.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}, " +
                $"not as of {now:O}; wait until IsCaughtUp(now) before answering a cancel.");
        }

        var status = Status(id);
        if (status == DelayMessageStatus.Delivered)
        {
            return CancelOutcome.AlreadyDelivered;
        }

        if (status == DelayMessageStatus.Cancelled)
        {
            return CancelOutcome.AlreadyCancelled;
        }

        // A Scheduled fact that was evicted or refused for lack of room must not make a scheduled message look unknown.
        if (status == DelayMessageStatus.Unknown && schedulesRecorded && KeepsInformationalFacts && id.DueUnixMilliseconds > _forgottenThroughMs)
        {
            return CancelOutcome.Unknown;
        }

        return id.DueTime <= now ? CancelOutcome.TooLate : CancelOutcome.Cancelled;
    }

    /// <summary>Forgets every fact whose message was due more than the expiry margin before <paramref name="now"/>; returns how many messages were forgotten.</summary>
    public int Expire(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var removed = 0;
        while (_byExpiry.TryPeek(out var id, out _) && ExpiresAtMs(id) <= nowMs)
        {
            _byExpiry.Dequeue();
            if (_entries.Remove(id, out var entry))
            {
                removed++;
                if ((entry.Flags & Flags.Cancelled) != 0)
                {
                    CancelledCount--;
                }
            }
        }

        // Drop stale heads so that the queue does not keep expired ids alive.
        while (_evictable.TryPeek(out var id, out _) && !IsEvictable(id))
        {
            _evictable.Dequeue();
        }

        return removed;
    }

    private bool TryEvictOne()
    {
        while (_evictable.TryDequeue(out var id, out _))
        {
            if (IsEvictable(id))
            {
                _entries.Remove(id);
                NoteForgotten(id);
                return true;
            }
        }

        return false;
    }

    private void NoteForgotten(DelayMessageId id) => _forgottenThroughMs = Math.Max(_forgottenThroughMs, id.DueUnixMilliseconds);

    private bool IsEvictable(DelayMessageId id) => _entries.TryGetValue(id, out var entry) && (entry.Flags & Flags.Cancelled) == 0;

    private long ExpiresAtMs(DelayMessageId id)
    {
        var due = id.DueUnixMilliseconds;
        return due > long.MaxValue - _expiryMarginMs ? long.MaxValue : due + _expiryMarginMs;
    }

    private static Flags FlagOf(DelayFactKind kind) => kind switch
    {
        DelayFactKind.Scheduled => Flags.Scheduled,
        DelayFactKind.Cancelled => Flags.Cancelled,
        _ => Flags.Delivered,
    };

    [Flags]
    private enum Flags : byte
    {
        None = 0,
        Scheduled = 1,
        Cancelled = 2,
        Delivered = 4,
    }

    private readonly record struct Entry(Flags Flags, long CancelledAtMs, long DeliveredAtMs)
    {
        public Entry With(DelayFactKind kind, Flags flag, long atMs) => kind switch
        {
            DelayFactKind.Cancelled => this with { Flags = Flags | flag, CancelledAtMs = atMs },
            DelayFactKind.Delivered => this with { Flags = Flags | flag, DeliveredAtMs = atMs },
            _ => this with { Flags = Flags | flag },
        };
    }
}
