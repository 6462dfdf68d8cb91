using System.Globalization;

namespace Pipelines.Configuration.Conversion;

/// <summary>
/// Parses durations as HOCON defines them: a number and an optional unit (<c>ns</c>, <c>us</c>, <c>ms</c>,
/// <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c> or their long forms such as <c>seconds</c>); no unit means milliseconds.
/// </summary>
internal static class HoconDurations
{
    /// <summary>The word that means "no limit" for settings that allow it.</summary>
    public const string Infinite = "infinite";

    private static readonly Dictionary<string, double> TicksPerUnit = Build();

    /// <summary>Parses <paramref name="text"/>; on failure returns false and a reason for the error message.</summary>
    public static bool TryParse(string text, bool allowInfinite, out TimeSpan result, out string? problem)
    {
        result = default;
        var trimmed = text.Trim();
        if (trimmed == Infinite)
        {
            if (allowInfinite)
            {
                result = Timeout.InfiniteTimeSpan;
                problem = null;
                return true;
            }

            problem = "'infinite' is not allowed for this setting";
            return false;
        }

        if (!HoconUnits.Split(trimmed, out var number, out var unit))
        {
            problem = "expected a duration such as 50ms, 10s or 2 minutes";
            return false;
        }

        if (!TicksPerUnit.TryGetValue(unit.Length == 0 ? "ms" : unit, out var ticksPerUnit))
        {
            problem = $"unknown duration unit '{unit}' (use ns, us, ms, s, m, h or d, or nanoseconds, microseconds, milliseconds, seconds, minutes, hours, days)";
            return false;
        }

        var ticks = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture) * ticksPerUnit;
        if (double.IsNaN(ticks) || ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            problem = "the duration is too long";
            return false;
        }

        result = TimeSpan.FromTicks((long)ticks);
        problem = null;
        return true;
    }

    private static Dictionary<string, double> Build()
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        Add(0.01, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TimeSpan.TicksPerMicrosecond, "us", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return map;

        void Add(double ticks, params string[] names)
        {
            foreach (var name in names)
            {
                map[name] = ticks;
            }
        }
    }
}
