using Pipelines.Configuration;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.Hosting;

/// <summary>
/// The typed view a pipeline's factory reads its tuning through: the HOCON section <c>pipelines.pipelines.&lt;name&gt;</c>
/// of the actor system's configuration (parallelism, batching, topics, group, any key the factory chooses).
/// </summary>
/// <remarks>
/// A getter that cannot read its key (missing, or a value of the wrong type) records the problem, with the key's full path
/// and the file:line:column of the value, and returns the type's default; once the factory returns (or throws), every
/// problem is reported at once as a <see cref="SettingsException"/> inside a <see cref="PipelineException"/> naming the
/// pipeline. A factory adds its own range checks with <see cref="Check"/>. The section may also hold the pipeline's
/// overrides of <c>pipelines.hosting</c> (<c>drain-timeout</c>, <c>restart { … }</c>, <c>health { … }</c>).
/// </remarks>
public sealed class PipelineSettings
{
    private readonly SettingsReader _reader;

    internal PipelineSettings(string name, AkkaConfig config)
    {
        Name = name;
        Path = SectionPath(name);
        _reader = SettingsReader.OpenOptional(config, Path);
        Config = config.HasPath(Path) ? config.GetConfig(Path) : AkkaConfig.Empty;
    }

    /// <summary>The pipeline's name.</summary>
    public string Name { get; }

    /// <summary>The section's full path, <c>pipelines.pipelines.&lt;name&gt;</c>.</summary>
    public string Path { get; }

    /// <summary>The section as Akka's configuration (empty when the configuration has none), for settings classes that take a <c>Config</c>.</summary>
    public AkkaConfig Config { get; }

    /// <summary>Whether the section sets <paramref name="key"/> (a path relative to the section, e.g. <c>batch.size</c>).</summary>
    public bool HasKey(string key) => _reader.Has(key);

    /// <summary>Reads a required string.</summary>
    public string GetString(string key) => _reader.String(key) ?? string.Empty;

    /// <summary>Reads a string, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public string GetString(string key, string defaultValue) => HasKey(key) ? GetString(key) : defaultValue;

    /// <summary>Reads a required whole number.</summary>
    public int GetInt(string key) => _reader.Int(key);

    /// <summary>Reads a whole number, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public int GetInt(string key, int defaultValue) => HasKey(key) ? GetInt(key) : defaultValue;

    /// <summary>Reads a required 64-bit whole number.</summary>
    public long GetLong(string key) => _reader.Long(key);

    /// <summary>Reads a 64-bit whole number, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public long GetLong(string key, long defaultValue) => HasKey(key) ? GetLong(key) : defaultValue;

    /// <summary>Reads a required number.</summary>
    public double GetDouble(string key) => _reader.Double(key);

    /// <summary>Reads a number, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public double GetDouble(string key, double defaultValue) => HasKey(key) ? GetDouble(key) : defaultValue;

    /// <summary>Reads a required boolean (<c>on</c>/<c>off</c>, <c>yes</c>/<c>no</c>, <c>true</c>/<c>false</c>).</summary>
    public bool GetBoolean(string key) => _reader.Boolean(key);

    /// <summary>Reads a boolean, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public bool GetBoolean(string key, bool defaultValue) => HasKey(key) ? GetBoolean(key) : defaultValue;

    /// <summary>Reads a required duration (<c>50ms</c>, <c>10s</c>, <c>2m</c>).</summary>
    public TimeSpan GetDuration(string key) => _reader.Duration(key);

    /// <summary>Reads a duration, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public TimeSpan GetDuration(string key, TimeSpan defaultValue) => HasKey(key) ? GetDuration(key) : defaultValue;

    /// <summary>Reads a required list of strings (<c>[orders, refunds]</c>).</summary>
    public IReadOnlyList<string> GetStringList(string key) => _reader.StringList(key);

    /// <summary>Reads a list of strings, or <paramref name="defaultValue"/> when the section does not set it.</summary>
    public IReadOnlyList<string> GetStringList(string key, IReadOnlyList<string> defaultValue) => HasKey(key) ? GetStringList(key) : defaultValue;

    /// <summary>Records a problem with <paramref name="key"/> when <paramref name="valid"/> is false (unless reading it already failed).</summary>
    /// <param name="valid">Whether the value read is acceptable.</param>
    /// <param name="key">The key, relative to the section.</param>
    /// <param name="message">What is wrong and what is expected, e.g. <c>must be at least 1, but is 0</c>.</param>
    public void Check(bool valid, string key, string message) => _reader.Problems.Check(valid, key, message);

    internal static string SectionPath(string name) => "pipelines.pipelines." + name;

    /// <summary>Whether reading the section found a problem.</summary>
    internal bool HasProblems => _reader.Problems.Any;

    /// <summary>Throws the problems found while the factory read the section, if any.</summary>
    internal void ThrowIfAny() => _reader.Problems.ThrowIfAny();
}
