using System.Globalization;
using Pipelines.Hosting;

namespace Pipelines.Host.View;

/// <summary>How the view writes its figures, the same in the table and the lines: invariant culture, <c>—</c> for nothing recorded.</summary>
internal static class ViewFormat
{
    /// <summary>Shown where nothing was recorded.</summary>
    public const string Nothing = "—";

    /// <summary>A count, e.g. <c>1200</c>.</summary>
    public static string Count(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Nothing;

    /// <summary>A rate per second, e.g. <c>198/s</c>, or <c>2.5/s</c> below ten.</summary>
    public static string Rate(double? perSecond) => perSecond switch
    {
        null => Nothing,
        < 10 and var r => r.ToString("0.#", CultureInfo.InvariantCulture) + "/s",
        var r => Math.Round(r.Value).ToString("0", CultureInfo.InvariantCulture) + "/s",
    };

    /// <summary>A short duration: <c>0.4ms</c>, <c>31ms</c>, <c>1.25s</c>, <c>90s</c>.</summary>
    public static string Duration(TimeSpan? duration)
    {
        if (duration is not { } d)
        {
            return Nothing;
        }

        var ms = d.TotalMilliseconds;
        return ms switch
        {
            < 10 => ms.ToString("0.#", CultureInfo.InvariantCulture) + "ms",
            < 1000 => Math.Round(ms).ToString("0", CultureInfo.InvariantCulture) + "ms",
            < 60_000 => d.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + "s",
            _ => Math.Round(d.TotalSeconds).ToString("0", CultureInfo.InvariantCulture) + "s",
        };
    }

    /// <summary>Time since the view started, in whole seconds: <c>12s</c>.</summary>
    public static string Elapsed(TimeSpan elapsed) => ((long)elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    /// <summary>A pipeline's state in lower case (<c>running</c>), <c>—</c> for a client that is no hosted pipeline.</summary>
    public static string State(PipelineState? state) => state?.ToString().ToLowerInvariant() ?? Nothing;

    /// <summary>A drain's outcome in kebab case (<c>drained</c>, <c>not-running</c>, <c>timed-out</c>, <c>failed</c>).</summary>
    public static string Outcome(PipelineDrainOutcome? outcome) => outcome switch
    {
        null => Nothing,
        PipelineDrainOutcome.NotRunning => "not-running",
        PipelineDrainOutcome.TimedOut => "timed-out",
        var o => o.Value.ToString().ToLowerInvariant(),
    };

    /// <summary>The pending messages per tier, <c>1s=12 5s=40</c>, or <c>—</c> while no router recorded any.</summary>
    public static string Pending(IReadOnlyList<TierPending> tiers) =>
        tiers.Count == 0 ? Nothing : string.Join(' ', tiers.Select(t => $"{t.Tier}={Count(t.Pending)}"));
}
