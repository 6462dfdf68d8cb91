using Pipelines.Engine;
using Config = Akka.Configuration.Config;

namespace Pipelines.Configuration;

/// <summary>Reads the stream engine's settings from <c>pipelines.streams</c>.</summary>
public static class StreamsConfiguration
{
    /// <summary>The configuration path of the stream engine's settings.</summary>
    public const string ConfigPath = "pipelines.streams";

    /// <summary>
    /// Returns <paramref name="settings"/> (or <see cref="MaterializerSettings.Default"/>) with the values of
    /// <c>pipelines.streams</c> from <paramref name="config"/> (e.g. <see cref="PipelinesConfiguration.Load(string?)"/>), the reference configuration being the fallback.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static MaterializerSettings ToMaterializerSettings(this Config config, MaterializerSettings? settings = null)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var bufferSize = reader.Int("buffer-size");
        var syncProcessingLimit = reader.Int("sync-processing-limit");
        reader.Problems.Check(bufferSize >= 1, "buffer-size", $"must be at least 1, but is {bufferSize}");
        reader.Problems.Check(syncProcessingLimit >= 1, "sync-processing-limit", $"must be at least 1, but is {syncProcessingLimit}");
        reader.Problems.ThrowIfAny();
        return (settings ?? MaterializerSettings.Default) with { DefaultBufferSize = bufferSize, SyncProcessingLimit = syncProcessingLimit };
    }
}
