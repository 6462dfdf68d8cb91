namespace Pipelines.Configuration;

/// <summary>
/// Settings failed validation: <see cref="Problems"/> lists every problem found at once, each starting with the
/// HOCON key it concerns (e.g. <c>akka.kafka.consumer.poll-interval: must be greater than zero</c>).
/// </summary>
public sealed class SettingsException : ArgumentException
{
    /// <summary>Creates the exception for the settings at <paramref name="section"/> with its problems.</summary>
    public SettingsException(string section, IReadOnlyList<string> problems)
        : base($"Invalid {section} settings ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
    {
        Section = section;
        Problems = problems;
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that lists problems).</summary>
    public SettingsException()
        : this("unknown", [])
    {
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that lists problems).</summary>
    public SettingsException(string message)
        : base(message)
    {
        Section = string.Empty;
        Problems = [message];
    }

    /// <summary>Creates an exception with a message and a cause (prefer the constructor that lists problems).</summary>
    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Section = string.Empty;
        Problems = [message];
    }

    /// <summary>The configuration path of the settings, e.g. <c>akka.kafka.consumer</c>.</summary>
    public string Section { get; }

    /// <summary>Every problem found, each naming its key.</summary>
    public IReadOnlyList<string> Problems { get; }
}
