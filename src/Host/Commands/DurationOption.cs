using System.CommandLine;
using System.CommandLine.Parsing;
using Pipelines.Configuration.Conversion;

namespace Pipelines.Host.Commands;

/// <summary>Options that take a duration written as in HOCON, with a unit: <c>500ms</c>, <c>10s</c>, <c>2m</c>.</summary>
internal static class DurationOption
{
    /// <summary>
    /// A duration option; its default (applied by the caller, so that help shows it as written here rather than as
    /// <c>00:00:10</c>) is stated in <paramref name="description"/> when given.
    /// </summary>
    public static Option<TimeSpan?> Create(string name, string description, TimeSpan? defaultValue) => new(name)
    {
        Description = description + (defaultValue is { } d ? $" [default: {Durations.Format(d)}]" : string.Empty),
        HelpName = "duration",
        CustomParser = result => Parse(name, result),
    };

    private static TimeSpan? Parse(string name, ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;

        // HOCON reads a bare number as milliseconds; on a command line "--timeout 5" would mean 5 ms, never what is meant.
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            result.AddError($"{name} {text}: give a unit, e.g. {text}s or {text}ms.");
            return null;
        }

        if (!HoconDurations.TryParse(text, allowInfinite: false, out var duration, out var problem))
        {
            result.AddError($"{name} \"{text}\": {problem}.");
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            result.AddError($"{name} {text}: must be longer than zero.");
            return null;
        }

        return duration;
    }
}
