using System.CommandLine;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.View;

/// <summary>The main job's <c>--view</c> option: overrides <c>pipelines.view.mode</c> for one run.</summary>
internal static class LiveViewOption
{
    /// <summary>The option's values, as written in HOCON and on the command line.</summary>
    public static readonly IReadOnlyList<string> Modes = ["auto", "live", "lines", "off"];

    /// <summary>Creates the option.</summary>
    public static Option<string?> Create()
    {
        var option = new Option<string?>("--view")
        {
            Description = "How to show the live view: auto (a live table on a terminal, VIEW lines otherwise), live, lines or off "
                + "[default: pipelines.view.mode, auto]",
            HelpName = "mode",
        };
        option.AcceptOnlyFromAmong([.. Modes]);
        return option;
    }

    /// <summary>
    /// <paramref name="config"/> with <c>pipelines.view.mode</c> set to <paramref name="mode"/>, or unchanged when it is null.
    /// </summary>
    public static Config Apply(Config config, string? mode) =>
        mode is null ? config : PipelinesConfiguration.ParseString($"pipelines.view.mode = \"{mode}\"", "--view").WithFallback(config);
}
