using Akka.Streams;
using Pipelines.Configuration;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.Hosting;

/// <summary>
/// How one pipeline is hosted: <c>pipelines.hosting</c> (drain timeout, restart backoff, health thresholds), each key
/// overridable in the pipeline's own section.
/// </summary>
internal sealed record PipelineHostingSettings(
    TimeSpan DrainTimeout,
    TimeSpan MinBackoff,
    TimeSpan MaxBackoff,
    double RandomFactor,
    int MaxRestarts,
    TimeSpan MaxRestartsWithin,
    TimeSpan StallWindow,
    long MaxLag)
{
    public const string HostingPath = "pipelines.hosting";

    /// <summary>Akka's restart settings for <c>RestartSource.OnFailuresWithBackoff</c>.</summary>
    public RestartSettings Restart
    {
        get
        {
            var settings = RestartSettings.Create(MinBackoff, MaxBackoff, RandomFactor);
            return MaxRestarts < 0 ? settings : settings.WithMaxRestarts(MaxRestarts, MaxRestartsWithin);
        }
    }

    /// <summary>Reads the settings of the pipeline <paramref name="name"/>, reporting every problem of both sections at once.</summary>
    /// <exception cref="SettingsException">A value is missing, malformed or out of range.</exception>
    public static PipelineHostingSettings Create(AkkaConfig config, string name)
    {
        var hosting = SettingsReader.Open(config, HostingPath);
        var own = SettingsReader.OpenOptional(config, PipelineSettings.SectionPath(name));

        // A key the pipeline's section sets wins; its problems are reported under the pipeline's path.
        SettingsReader From(string key) => own.Has(key) ? own : hosting;
        SettingsProblems ProblemsOf(string key) => From(key).Problems;
        TimeSpan Duration(string key) => From(key).Duration(key);

        var settings = new PipelineHostingSettings(
            Duration("drain-timeout"),
            Duration("restart.min-backoff"),
            Duration("restart.max-backoff"),
            From("restart.random-factor").Double("restart.random-factor"),
            From("restart.max-restarts").Int("restart.max-restarts"),
            Duration("restart.max-restarts-within"),
            Duration("health.stall-window"),
            From("health.max-lag").Long("health.max-lag"));

        ProblemsOf("drain-timeout").Check(settings.DrainTimeout > TimeSpan.Zero, "drain-timeout", $"must be greater than zero, but is {settings.DrainTimeout}");
        ProblemsOf("restart.min-backoff").Check(settings.MinBackoff > TimeSpan.Zero, "restart.min-backoff", $"must be greater than zero, but is {settings.MinBackoff}");
        ProblemsOf("restart.max-backoff").Check(settings.MaxBackoff >= settings.MinBackoff, "restart.max-backoff", $"must be at least restart.min-backoff ({settings.MinBackoff}), but is {settings.MaxBackoff}");
        ProblemsOf("restart.random-factor").Check(settings.RandomFactor >= 0, "restart.random-factor", $"must be zero or more, but is {settings.RandomFactor}");
        ProblemsOf("restart.max-restarts").Check(settings.MaxRestarts >= -1, "restart.max-restarts", $"must be -1 (no limit) or more, but is {settings.MaxRestarts}");
        ProblemsOf("restart.max-restarts-within").Check(settings.MaxRestartsWithin > TimeSpan.Zero, "restart.max-restarts-within", $"must be greater than zero, but is {settings.MaxRestartsWithin}");
        ProblemsOf("health.stall-window").Check(settings.StallWindow > TimeSpan.Zero, "health.stall-window", $"must be greater than zero, but is {settings.StallWindow}");
        ProblemsOf("health.max-lag").Check(settings.MaxLag >= -1, "health.max-lag", $"must be -1 (no limit) or more, but is {settings.MaxLag}");
        own.Problems.ThrowIfAny();
        hosting.Problems.ThrowIfAny();
        return settings;
    }
}
