using System.Collections;
using System.Globalization;
using Confluent.Kafka.Admin;

namespace Pipelines.Delay;

/// <summary>
/// The delay queue's tiers: which tier a remaining delay goes to, the cascade from tier to tier until a message is due,
/// and the specifications for creating the tier topics and the cancellation topic.
/// </summary>
/// <remarks>
/// <para>
/// The rule: a message with remaining delay <c>r</c> goes to the largest tier whose delay does not exceed <c>r</c>;
/// when <c>r</c> is shorter than the smallest tier it goes to the smallest tier. A message may move on once its tier's
/// delay has passed since the hop was written (<see cref="DelayTier.MovableAt(DateTimeOffset, DateTimeOffset)"/>), and
/// a router holds it until its due time when that comes within the tier's <see cref="DelayTier.Hold"/> (the smallest
/// tier: the second tier's delay; the others: <see cref="DelaySettings.HoldWindow"/> past their delay), delivering it
/// from the tier (<see cref="DelayTier.ReleaseTime(DateTimeOffset, DateTimeOffset)"/>). A message not due when it is
/// released is written to the tier for its new remaining delay. A message therefore never waits in a tier beyond its
/// due time, and any delay works: greedy over the tiers, the cascade takes at most one hop per tier above the smallest
/// in the usual case (tiers that are multiples of each other may take a few).
/// </para>
/// <para>
/// Which tier a message was read from does not matter for its next hop: only the remaining delay, measured on the
/// router's clock, does. A writer whose clock is behind the router's makes a message leave its tier early; it then
/// takes one more hop, timed by the router's clock (routers write every later hop with their own clock, so router
/// instances' clocks should agree to well within the smallest tier). Delivery happens only when the router's clock has
/// reached the due time, so a message is never delivered early by the router's clock.
/// </para>
/// <para>
/// Held past its tier's delay, messages leave out of arrival order: a router keeps them in a hold buffer
/// (<c>router.hold-buffer</c> records per partition). When another message arrives while that buffer is full, the one
/// due last moves on at once to the tier for its remaining delay: a full buffer costs a hop, never lateness.
/// </para>
/// </remarks>
public sealed class DelayTiers : IReadOnlyList<DelayTier>
{
    private static readonly Lazy<DelayTiers> DefaultTiers = new(() => new DelayTiers(DelaySettings.Default));

    private readonly DelayTier[] _tiers;
    private readonly long[] _ticks;
    private readonly Dictionary<string, DelayTier> _byTopic;

    /// <summary>Creates the tiers of <paramref name="settings"/> (already validated: strictly increasing positive whole milliseconds).</summary>
    public DelayTiers(DelaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        // The smallest tier holds its messages until due, at most until the next tier's delay after they were written;
        // every other tier at most hold-window past its own delay.
        var tiers = settings.Tiers;
        _tiers = [.. tiers.Select((delay, i) => new DelayTier(i, delay, settings.TopicPrefix + DelayTier.Label(delay), Hold(tiers, i, settings.HoldWindow)))];
        _ticks = [.. _tiers.Select(t => t.Delay.Ticks)];
        _byTopic = _tiers.ToDictionary(t => t.Topic, StringComparer.Ordinal);
    }

    /// <summary>The tiers of the reference configuration.</summary>
    public static DelayTiers Default => DefaultTiers.Value;

    /// <summary>The settings the tiers were created from.</summary>
    public DelaySettings Settings { get; }

    /// <summary>The number of tiers.</summary>
    public int Count => _tiers.Length;

    /// <summary>The tier with the smallest delay.</summary>
    public DelayTier Smallest => _tiers[0];

    /// <summary>The tier with the largest delay.</summary>
    public DelayTier Largest => _tiers[^1];

    /// <summary>The tier at <paramref name="index"/>, 0 being the smallest delay.</summary>
    public DelayTier this[int index] => _tiers[index];

    /// <summary>
    /// The tier for a message whose remaining delay is <paramref name="remaining"/>: the largest tier not exceeding it, or
    /// the smallest tier when <paramref name="remaining"/> is shorter than every tier.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="remaining"/> is zero or negative: the message is due and goes to its target.</exception>
    public DelayTier TierFor(TimeSpan remaining)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(remaining, TimeSpan.Zero);
        var found = Array.BinarySearch(_ticks, remaining.Ticks);

        // Not found: ~found is the first tier above remaining, so the one before it is the largest below.
        var index = found >= 0 ? found : Math.Max(~found - 1, 0);
        return _tiers[index];
    }

    /// <summary>
    /// Where a message due at <paramref name="due"/> goes at <paramref name="now"/> (the router's or the scheduling client's
    /// clock): to its target when due, otherwise to <see cref="TierFor(TimeSpan)"/> of the remaining delay.
    /// </summary>
    public DelayHop NextHop(DateTimeOffset now, DateTimeOffset due) => due <= now ? default : new DelayHop(TierFor(due - now));

    /// <summary>Finds the tier whose topic is <paramref name="topic"/> (a router maps each consumed record to its tier this way).</summary>
    public bool TryGetTier(string topic, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DelayTier? tier)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return _byTopic.TryGetValue(topic, out tier);
    }

    /// <summary>
    /// How long a tier topic keeps a message, in milliseconds: the longest the tier holds a message
    /// (<see cref="DelayTier.Hold"/>) plus <see cref="DelaySettings.RetentionMargin"/>. The margin is how long the routers
    /// may be down or behind before retention deletes messages still pending.
    /// </summary>
    public long RetentionMs(DelayTier tier)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return ToMilliseconds(tier.Hold + Settings.RetentionMargin);
    }

    /// <summary>
    /// The tier topics to create, for <see cref="Kafka.KafkaAdmin.CreateTopicsIfMissingAsync"/>: <see cref="DelaySettings.Partitions"/>
    /// partitions, <see cref="DelaySettings.ReplicationFactor"/> replicas, <c>cleanup.policy = delete</c> and
    /// <c>retention.ms</c> from <see cref="RetentionMs(DelayTier)"/>, then <see cref="DelaySettings.TopicConfig"/> over them.
    /// </summary>
    public IReadOnlyList<TopicSpecification> TopicSpecifications() =>
        [.. _tiers.Select(tier =>
        {
            var configs = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["cleanup.policy"] = "delete",
                ["retention.ms"] = RetentionMs(tier).ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (name, value) in Settings.TopicConfig)
            {
                configs[name] = value;
            }

            return Specification(tier.Topic, configs);
        })];

    /// <summary>
    /// The cancellation topic to create: compacted so that each fact survives as long as it matters, and deleted after
    /// <see cref="DelaySettings.MaxDelay"/> plus <see cref="DelaySettings.RetentionMargin"/>, when no message it concerns can
    /// still be pending (<c>cleanup.policy = compact,delete</c>).
    /// </summary>
    public TopicSpecification CancellationTopicSpecification() =>
        Specification(Settings.CancellationTopic, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cleanup.policy"] = "compact,delete",
            ["retention.ms"] = ToMilliseconds(Settings.MaxDelay + Settings.RetentionMargin).ToString(CultureInfo.InvariantCulture),
        });

    /// <inheritdoc/>
    public IEnumerator<DelayTier> GetEnumerator() => ((IEnumerable<DelayTier>)_tiers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => $"DelayTiers({string.Join(", ", _tiers.Select(t => t.Topic))})";

    private TopicSpecification Specification(string name, Dictionary<string, string> configs) => new()
    {
        Name = name,
        NumPartitions = Settings.Partitions,
        ReplicationFactor = (short)Settings.ReplicationFactor,
        Configs = configs,
    };

    private static TimeSpan Hold(IReadOnlyList<TimeSpan> tiers, int index, TimeSpan window) =>
        index == 0 ? (tiers.Count > 1 ? tiers[1] : tiers[0]) : tiers[index] + window;

    private static long ToMilliseconds(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond;
}
