using System.Globalization;

namespace Pipelines.Delay;

/// <summary>
/// One tier of the delay queue: a topic whose every message waits the same fixed <see cref="Delay"/> after it was
/// written (or until due, when sooner), so that each partition's head is always its earliest movable message; a
/// message due soon after that is held until due, up to <see cref="Hold"/>, and delivered from the tier.
/// </summary>
public sealed class DelayTier
{
    internal DelayTier(int index, TimeSpan delay, string topic, TimeSpan hold)
    {
        Index = index;
        Delay = delay;
        Topic = topic;
        Hold = hold;
    }

    /// <summary>The tier's position in <see cref="DelayTiers"/>, 0 being the smallest delay.</summary>
    public int Index { get; }

    /// <summary>How long a message waits in this tier after it was written.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The tier's topic, <c>&lt;topic-prefix&gt;&lt;delay&gt;</c> such as <c>pipelines-delay-30s</c>.</summary>
    public string Topic { get; }

    /// <summary>
    /// The longest a message waits in this tier after it was written: for the smallest tier the next tier's delay (every
    /// message written to it is due within that, by the writer's clock), for the others <see cref="Delay"/> plus
    /// <see cref="DelaySettings.HoldWindow"/>.
    /// </summary>
    public TimeSpan Hold { get; }

    /// <summary>
    /// When a message of this tier may move on: <paramref name="writtenAt"/> (the hop's written time) plus
    /// <see cref="Delay"/>, or the message's own <paramref name="due"/> time when that is earlier. In arrival order but
    /// for writers' clocks, so a partition's reorder buffer stays small.
    /// </summary>
    public DateTimeOffset MovableAt(DateTimeOffset writtenAt, DateTimeOffset due) => Earlier(writtenAt, Delay, due);

    /// <summary>
    /// When a router releases a message of this tier: <paramref name="writtenAt"/> plus <see cref="Hold"/>, or the
    /// message's own <paramref name="due"/> time when that is earlier, so that a message due within the hold is delivered
    /// from this tier (one hop, for a delay below the second tier's). Released messages that are not due yet take
    /// <see cref="DelayTiers.NextHop(DateTimeOffset, DateTimeOffset)"/>, as do messages a full hold buffer lets go
    /// after <see cref="MovableAt"/>.
    /// </summary>
    public DateTimeOffset ReleaseTime(DateTimeOffset writtenAt, DateTimeOffset due) => Earlier(writtenAt, Hold, due);

    private static DateTimeOffset Earlier(DateTimeOffset writtenAt, TimeSpan wait, DateTimeOffset due)
    {
        var waited = writtenAt <= DateTimeOffset.MaxValue - wait ? writtenAt + wait : DateTimeOffset.MaxValue;
        return waited < due ? waited : due;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Topic} (tier {Index}, {Label(Delay)})";

    /// <summary>Writes a whole number of milliseconds in its largest whole unit: <c>2h</c>, <c>90s</c>, <c>1500ms</c>.</summary>
    internal static string Label(TimeSpan delay)
    {
        var ms = delay.Ticks / TimeSpan.TicksPerMillisecond;
        var (value, unit) = ms switch
        {
            _ when ms % 86_400_000 == 0 => (ms / 86_400_000, "d"),
            _ when ms % 3_600_000 == 0 => (ms / 3_600_000, "h"),
            _ when ms % 60_000 == 0 => (ms / 60_000, "m"),
            _ when ms % 1_000 == 0 => (ms / 1_000, "s"),
            _ => (ms, "ms"),
        };
        return value.ToString(CultureInfo.InvariantCulture) + unit;
    }
}
