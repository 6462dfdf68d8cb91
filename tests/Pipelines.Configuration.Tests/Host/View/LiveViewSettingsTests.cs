using Pipelines.Host.View;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class LiveViewSettingsTests
{
    [Fact]
    public void Create_NothingConfigured_TakesTheReferenceDefaults()
    {
        var settings = LiveViewSettings.Create(PipelinesConfiguration.ParseString("akka.loglevel = INFO"));

        settings.Interval.Should().Be(TimeSpan.FromSeconds(1));
        settings.Mode.Should().Be(LiveViewMode.Auto);
        settings.TierPrefix.Should().Be("pipelines-delay-");
    }

    [Theory]
    [InlineData("off", "Off")]
    [InlineData("\"off\"", "Off")]
    [InlineData("lines", "Lines")]
    [InlineData("live", "Live")]
    [InlineData("auto", "Auto")]
    public void Create_ModeConfigured_ReadsIt(string written, string expected)
    {
        var settings = LiveViewSettings.Create(PipelinesConfiguration.ParseString($"pipelines.view {{ interval = 250ms, mode = {written} }}\npipelines.delay.topic-prefix = dq-"));

        settings.Mode.Should().Be(Enum.Parse<LiveViewMode>(expected));
        settings.Interval.Should().Be(TimeSpan.FromMilliseconds(250));
        settings.TierPrefix.Should().Be("dq-");
    }

    [Fact]
    public void Create_InvalidValues_ReportsEveryProblemWithItsKey()
    {
        var act = () => LiveViewSettings.Create(PipelinesConfiguration.ParseString("pipelines.view { interval = 10ms, mode = fancy }"));

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().HaveCount(2);
        problems.Should().Contain(p => p.StartsWith("pipelines.view.interval: must be at least 100ms", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.view.mode: must be one of auto, live, lines, off", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("auto", true, "Live")]
    [InlineData("auto", false, "Lines")]
    [InlineData("live", false, "Live")]
    [InlineData("lines", true, "Lines")]
    [InlineData("off", true, "Off")]
    public void Resolve_OutputTerminalOrRedirected_AutoPicksTheTableOnlyOnATerminal(string configured, bool isTerminal, string expected)
    {
        var settings = LiveViewSettings.Create(PipelinesConfiguration.ParseString($"pipelines.view.mode = {configured}"));

        settings.Resolve(isTerminal).Should().Be(Enum.Parse<LiveViewMode>(expected));
    }

    [Fact]
    public void IsTerminal_AWriterOtherThanTheConsole_IsNoTerminal()
    {
        using var writer = new StringWriter();

        LiveViewServiceCollectionExtensions.IsTerminal(writer).Should().BeFalse();
    }

    [Fact]
    public void Apply_ViewOption_OverridesTheConfiguredModeOnly()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.view { interval = 2s, mode = live }");

        var lines = LiveViewSettings.Create(LiveViewOption.Apply(config, "lines"));
        var unchanged = LiveViewSettings.Create(LiveViewOption.Apply(config, null));

        lines.Mode.Should().Be(LiveViewMode.Lines);
        lines.Interval.Should().Be(TimeSpan.FromSeconds(2));
        unchanged.Mode.Should().Be(LiveViewMode.Live);
    }
}
