using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.View;

/// <summary>The host's live view, read from <c>pipelines.view</c> (with the reference configuration as fallback). Immutable.</summary>
internal sealed class LiveViewSettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "pipelines.view";

    /// <summary>The default of <see cref="TierPrefix"/>'s source, <c>pipelines.delay.topic-prefix</c>.</summary>
    private const string DelayPath = "pipelines.delay";

    private LiveViewSettings(TimeSpan interval, LiveViewMode mode, string tierPrefix)
    {
        Interval = interval;
        Mode = mode;
        TierPrefix = tierPrefix;
    }

    /// <summary>How often the view is refreshed; rates and lateness percentiles are over this interval (<c>interval</c>).</summary>
    public TimeSpan Interval { get; }

    /// <summary>How the view is shown (<c>mode</c>).</summary>
    public LiveViewMode Mode { get; }

    /// <summary>The delay tier topics' prefix (<c>pipelines.delay.topic-prefix</c>): a tier is shown by the rest of its name, e.g. <c>1s</c>.</summary>
    public string TierPrefix { get; }

    /// <summary>Reads <c>pipelines.view</c> (and the delay tiers' topic prefix) from <paramref name="config"/>.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static LiveViewSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var reader = SettingsReader.Open(config, ConfigPath);
        var interval = reader.Duration("interval");
        var mode = reader.Enum<LiveViewMode>("mode");
        var problems = reader.Problems;
        problems.Check(
            problems.HasFailed("interval") || interval >= TimeSpan.FromMilliseconds(100),
            "interval",
            $"must be at least 100ms, but is {interval}");
        problems.ThrowIfAny();
        var prefix = SettingsReader.Open(config, DelayPath).String("topic-prefix") ?? string.Empty;
        return new LiveViewSettings(interval, mode, prefix);
    }

    /// <summary>These settings with <paramref name="mode"/> instead of the configured mode (the <c>--view</c> option).</summary>
    public LiveViewSettings WithMode(LiveViewMode mode) => new(Interval, mode, TierPrefix);

    /// <summary>
    /// The mode actually used: <see cref="LiveViewMode.Auto"/> becomes <see cref="LiveViewMode.Live"/> on a terminal and
    /// <see cref="LiveViewMode.Lines"/> otherwise (redirected to a file or a pipe, as in CI); other modes stay as they are.
    /// </summary>
    /// <param name="isTerminal">Whether the view's output is an interactive terminal.</param>
    public LiveViewMode Resolve(bool isTerminal) => Mode switch
    {
        LiveViewMode.Auto => isTerminal ? LiveViewMode.Live : LiveViewMode.Lines,
        _ => Mode,
    };
}
