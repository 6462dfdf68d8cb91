using System.Globalization;

namespace Pipelines.Delay;

/// <summary>
/// One tier of the delay queue: a topic whose every message waits the same fixed <see cref="Delay"/> after it was
/// written, so that each partition's head is always its earliest releasable message.
/// </summary>
public sealed class DelayTier
{
    internal DelayTier(int index, TimeSpan delay, string topic)
    {
        Index = index;
        Delay = delay;
        Topic = topic;
    }

    /// <summary>The tier's position in <see cref="DelayTiers"/>, 0 being the smallest delay.</summary>
    public int Index { get; }

    /// <summary>How long a message waits in this tier after it was written.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The tier's topic, <c>&lt;topic-prefix&gt;&lt;delay&gt;</c> such as <c>pipelines-delay-30s</c>.</summary>
    public string Topic { get; }

    /// <summary>
    /// When a router releases a message of this tier: <paramref name="writtenAt"/> (the record's timestamp) plus
    /// <see cref="Delay"/>, or the message's own <paramref name="due"/> time when that is earlier (a message whose remaining
    /// delay was shorter than the smallest tier). Released messages that are due go to their target; others take
    /// <see cref="DelayTiers.NextHop(DateTimeOffset, DateTimeOffset)"/>.
    /// </summary>
    public DateTimeOffset ReleaseTime(DateTimeOffset writtenAt, DateTimeOffset due)
    {
        var held = writtenAt <= DateTimeOffset.MaxValue - Delay ? writtenAt + Delay : DateTimeOffset.MaxValue;
        return held < due ? held : due;
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
