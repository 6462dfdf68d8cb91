using System.Globalization;

namespace Pipelines.Host.Commands;

/// <summary>Durations written back the way the commands read them (<c>500ms</c>, <c>10s</c>, <c>2.5s</c>).</summary>
internal static class Durations
{
    public static string Format(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###}ms")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
