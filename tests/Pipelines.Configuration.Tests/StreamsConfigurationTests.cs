using Pipelines.Engine;
using Pipelines.TestKit.Time;

namespace Pipelines.Configuration.Tests;

public sealed class StreamsConfigurationTests
{
    [Fact]
    public void ToMaterializerSettings_Reference_GivesTheDefaults()
    {
        var settings = PipelinesConfiguration.Reference().ToMaterializerSettings();

        settings.DefaultBufferSize.Should().Be(16);
        settings.SyncProcessingLimit.Should().Be(1000);
    }

    [Fact]
    public void MaterializerSettingsDefault_ComesFromTheReferenceConfiguration()
    {
        var reference = PipelinesConfiguration.Reference();

        MaterializerSettings.Default.DefaultBufferSize.Should().Be(reference.GetInt("pipelines.streams.buffer-size"));
        MaterializerSettings.Default.SyncProcessingLimit.Should().Be(reference.GetInt("pipelines.streams.sync-processing-limit"));
        new MaterializerSettings().Should().Be(MaterializerSettings.Default);
    }

    [Fact]
    public void ToMaterializerSettings_UserValues_OverrideAndKeepOtherSettings()
    {
        var clock = new ManualTimeProvider();
        var config = PipelinesConfiguration.ParseString("pipelines.streams { buffer-size = 64 }");

        var settings = config.ToMaterializerSettings(MaterializerSettings.Default with { TimeProvider = clock });

        settings.DefaultBufferSize.Should().Be(64);
        settings.SyncProcessingLimit.Should().Be(1000);
        settings.TimeProvider.Should().BeSameAs(clock);
    }

    [Fact]
    public void ToMaterializerSettings_InvalidValues_ReportEveryKey()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.streams { buffer-size = 0, sync-processing-limit = lots }");

        var act = () => config.ToMaterializerSettings();

        act.Should().Throw<SettingsException>().Which.Problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)])
            .Should().BeEquivalentTo(["pipelines.streams.buffer-size", "pipelines.streams.sync-processing-limit"]);
    }
}
