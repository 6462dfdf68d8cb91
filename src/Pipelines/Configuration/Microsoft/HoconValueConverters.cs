using System.ComponentModel;
using System.Globalization;
using Pipelines.Configuration.Conversion;

namespace Pipelines.Configuration;

/// <summary>
/// Teaches the configuration binder HOCON's spellings of durations and booleans, so that options bound from a HOCON
/// source accept <c>poll-interval = 50ms</c> or <c>enabled = yes</c>. The converters only add forms: whatever .NET's own
/// converters accept (<c>00:00:05</c>, a bare number as days, <c>true</c>) keeps its meaning, so other configuration
/// sources and other users of <see cref="TypeDescriptor"/> are unaffected.
/// </summary>
internal static class HoconValueConverters
{
    private static int _registered;

    /// <summary>Registers the converters for <see cref="TimeSpan"/> and <see cref="bool"/> once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
            TypeDescriptor.AddAttributes(typeof(bool), new TypeConverterAttribute(typeof(BooleanConverter)));
        }
    }

    /// <summary>.NET's TimeSpan formats, then HOCON durations with a unit (<c>50ms</c>, <c>10 seconds</c>) and <c>infinite</c>.</summary>
    private sealed class DurationConverter : TimeSpanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        {
            if (value is string text
                && !TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out _)
                && HoconDurations.TryParse(text, allowInfinite: true, out var duration, out _))
            {
                return duration;
            }

            return base.ConvertFrom(context, culture, value);
        }
    }

    /// <summary><c>true</c>/<c>false</c>, then HOCON's <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c> (any case).</summary>
    private sealed class BooleanConverter : System.ComponentModel.BooleanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        {
            if (value is string text && !bool.TryParse(text.Trim(), out _))
            {
                switch (text.Trim().ToLowerInvariant())
                {
                    case "yes" or "on":
                        return true;
                    case "no" or "off":
                        return false;
                }
            }

            return base.ConvertFrom(context, culture, value);
        }
    }
}
