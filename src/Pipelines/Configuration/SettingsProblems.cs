namespace Pipelines.Configuration;

/// <summary>Collects the problems of one settings section, each prefixed with its full HOCON key.</summary>
internal sealed class SettingsProblems(string path)
{
    private readonly List<string> _problems = [];
    private readonly HashSet<string> _failedKeys = new(StringComparer.Ordinal);

    /// <summary>The section's configuration path, e.g. <c>akka.kafka.consumer</c>.</summary>
    public string Path { get; } = path;

    /// <summary>Records that <paramref name="key"/> could not be read.</summary>
    public void Fail(string key, string message)
    {
        _failedKeys.Add(key);
        _problems.Add($"{Path}.{key}: {message}");
    }

    /// <summary>Whether any problem was found.</summary>
    public bool Any => _problems.Count > 0;

    /// <summary>True when reading <paramref name="key"/> already failed, so that range checks do not report it twice.</summary>
    public bool HasFailed(string key) => _failedKeys.Contains(key);

    /// <summary>Adds a problem for <paramref name="key"/> when <paramref name="valid"/> is false, unless reading it already failed.</summary>
    public void Check(bool valid, string key, string message)
    {
        if (!valid && !_failedKeys.Contains(key))
        {
            _problems.Add($"{Path}.{key}: {message}");
        }
    }

    /// <summary>Throws a <see cref="SettingsException"/> listing every problem, if there are any.</summary>
    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new SettingsException(Path, [.. _problems]);
        }
    }
}
