using System.Collections.Immutable;
using Pipelines.Configuration.Conversion;
using Pipelines.Configuration.Values;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.Configuration;

/// <summary>
/// Reads the keys of one settings section (e.g. <c>akka.kafka.consumer</c>) and collects every problem instead of
/// stopping at the first, so that a settings class can report them all at once.
/// </summary>
internal sealed class SettingsReader
{
    private readonly HoconConfig _section;

    private SettingsReader(HoconConfig section, string path)
    {
        _section = section;
        Problems = new SettingsProblems(path);
    }

    /// <summary>The problems found so far; settings classes add their range checks to the same list.</summary>
    public SettingsProblems Problems { get; }

    /// <summary>
    /// Opens <paramref name="path"/> of Akka's <paramref name="config"/> (an ActorSystem's, or one from
    /// <see cref="PipelinesConfiguration"/>) with the reference configuration as fallback for every key it does not set.
    /// A config that is itself the section (what Akka users pass: <c>config.GetConfig("akka.kafka.consumer")</c>) is
    /// recognised by holding one of the section's reference keys at its root, and used as that section.
    /// </summary>
    public static SettingsReader Open(AkkaConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var user = HoconConfig.Empty;
        if (config.Root is { } root && !config.IsEmpty)
        {
            // Only the section is read back from Akka's model: an ActorSystem's configuration holds all of Akka's defaults.
            var section = config.GetConfig(path)?.Root;
            if (section is null && root.GetObject() is { } rootObject
                && HoconConfigFactory.Reference().GetConfig(path).Root.Keys.Any(rootObject.Items.ContainsKey))
            {
                section = root;
            }

            if (section is not null)
            {
                user = HoconConfig.At(path, AkkaConfigConverter.FromAkka(section));
            }
        }

        return Open(user, path);
    }

    /// <summary>
    /// Like <see cref="Open(AkkaConfig, string)"/>, for a section that may be absent (a hosted pipeline's own keys):
    /// a missing section reads as an empty one.
    /// </summary>
    public static SettingsReader OpenOptional(AkkaConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var user = HoconConfig.Empty;
        if (!config.IsEmpty && config.HasPath(path) && config.GetValue(path) is { } section && section.IsObject())
        {
            user = HoconConfig.At(path, AkkaConfigConverter.FromAkka(section));
        }

        return Open(user, path, optional: true);
    }

    /// <summary>
    /// Opens <paramref name="path"/> of Akka's <paramref name="config"/>, taking every key it does not set from
    /// <paramref name="defaultsPath"/> (the user's, then the reference configuration's): the shape of named sections such
    /// as <c>pipelines.pushers.&lt;name&gt;</c> over <c>pipelines.pusher-defaults</c>. A missing named section reads as empty.
    /// </summary>
    public static SettingsReader OpenWithDefaults(AkkaConfig config, string path, string defaultsPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        var named = UserSection(config, path);
        var defaults = UserSection(config, defaultsPath).WithFallback(HoconConfigFactory.Reference());
        try
        {
            var section = named.HasPath(path) ? named.GetConfig(path) : HoconConfig.Empty;
            return new SettingsReader(section.WithFallback(defaults.GetConfig(defaultsPath)), path);
        }
        catch (HoconException e)
        {
            throw new SettingsException(path, [$"{path}: {e.Reason}{Where(e.Position)}"]);
        }
    }

    /// <summary>
    /// Opens the named section <paramref name="path"/> over <paramref name="defaultsPath"/> (see
    /// <see cref="OpenWithDefaults"/>) for a front door's options: an absent section fails at once with
    /// <paramref name="missing"/>, and every key of the section outside <paramref name="knownKeys"/> is recorded as a
    /// problem naming the <paramref name="kind"/>'s settings and where the key is written.
    /// </summary>
    public static SettingsReader OpenNamed(AkkaConfig config, string path, string defaultsPath, string kind, IReadOnlyList<string> knownKeys, string missing)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(knownKeys);
        if (config.IsEmpty || !config.HasPath(path))
        {
            throw new SettingsException(path, [$"{path}: {missing}"]);
        }

        var reader = OpenWithDefaults(config, path, defaultsPath);
        foreach (var key in reader.Keys.Where(k => !knownKeys.Contains(k, StringComparer.Ordinal)))
        {
            reader.Problems.Fail(key, $"is not a {kind} setting; the settings are {string.Join(", ", knownKeys)}{reader.PositionOf(key)}");
        }

        return reader;
    }

    /// <summary>The keys set at the top of the section (its own and those taken from a fallback).</summary>
    public IEnumerable<string> Keys => _section.Root.Keys;

    /// <summary>Reads a size in bytes: a number, or a number with a unit (<c>512KiB</c>, <c>1M</c>).</summary>
    public long ByteSize(string key) => Read(key, () => _section.GetByteSize(key));

    private static HoconConfig UserSection(AkkaConfig config, string path)
    {
        if (config.IsEmpty || config.Root is null || config.GetConfig(path) is not { IsEmpty: false, Root: { } section })
        {
            return HoconConfig.Empty;
        }

        return HoconConfig.At(path, AkkaConfigConverter.FromAkka(section));
    }

    /// <summary>Opens <paramref name="path"/> of this library's tree <paramref name="config"/>, the reference configuration being the fallback.</summary>
    private static SettingsReader Open(HoconConfig config, string path, bool optional = false)
    {
        var merged = config.WithFallback(HoconConfigFactory.Reference());
        try
        {
            return optional && !merged.HasPath(path)
                ? new SettingsReader(HoconConfig.Empty, path)
                : new SettingsReader(merged.GetConfig(path), path);
        }
        catch (HoconException e)
        {
            throw new SettingsException(path, [$"{path}: {e.Reason}{Where(e.Position)}"]);
        }
    }

    public TimeSpan Duration(string key, bool allowInfinite = false) => Read(key, () => _section.GetTimeSpan(key, allowInfinite));

    public int Int(string key) => Read(key, () => _section.GetInt(key));

    public long Long(string key) => Read(key, () => _section.GetLong(key));

    /// <summary>
    /// Where the value of <paramref name="key"/> was written, as <c> (file:line:column)</c> for a problem message, or empty
    /// when the section does not set it or the value has no known position (a configuration built in code).
    /// </summary>
    public string PositionOf(string key)
    {
        try
        {
            return _section.HasPath(key) && _section.GetValue(key) is { } value ? Where(value.Position) : string.Empty;
        }
        catch (HoconException)
        {
            return string.Empty;
        }
    }

    /// <summary>Whether the section sets <paramref name="key"/> (to anything but null).</summary>
    public bool Has(string key) => _section.HasPath(key);

    public string? String(string key) => Read(key, () => _section.GetString(key));

    public bool Boolean(string key) => Read(key, () => _section.GetBoolean(key));

    public double Double(string key) => Read(key, () => _section.GetDouble(key));

    /// <summary>Reads an array of strings (numbers and booleans as written); a missing or wrong value is a problem and gives an empty list.</summary>
    public IReadOnlyList<string> StringList(string key) => Read(key, () => _section.GetStringList(key)) ?? [];

    /// <summary>
    /// Reads an array of durations (<c>[1s, 5s, 2m]</c>; a bare number is milliseconds). Every element that is not a
    /// duration is reported with its index and position; the valid ones are returned.
    /// </summary>
    public IReadOnlyList<TimeSpan> DurationList(string key)
    {
        var value = Read(key, () => _section.GetValue(key));
        if (value is not HoconArray array)
        {
            if (value is not null)
            {
                Fail(key, $"must be a list of durations such as [1s, 5s, 30s], but is {value.Type.ToString().ToLowerInvariant()}{Where(value.Position)}");
            }
            else if (!Problems.HasFailed(key))
            {
                Fail(key, "must be a list of durations such as [1s, 5s, 30s], but is missing");
            }

            return [];
        }

        var result = new List<TimeSpan>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            switch (array[i])
            {
                case HoconNumber n when n.DoubleValue * TimeSpan.TicksPerMillisecond is var ticks && ticks <= TimeSpan.MaxValue.Ticks && ticks >= TimeSpan.MinValue.Ticks:
                    result.Add(TimeSpan.FromTicks((long)ticks));
                    break;
                case HoconString s when HoconDurations.TryParse(s.Value, allowInfinite: false, out var duration, out _):
                    result.Add(duration);
                    break;
                case HoconString s:
                    HoconDurations.TryParse(s.Value, allowInfinite: false, out _, out var problem);
                    Fail(key, $"element {i} must be a duration such as 50ms or 10s, but is \"{s.Value}\": {problem}{Where(s.Position)}");
                    break;
                case var other:
                    Fail(key, $"element {i} must be a duration such as 50ms or 10s, but is {other.ScalarText ?? other.Type.ToString().ToLowerInvariant()}{Where(other.Position)}");
                    break;
            }
        }

        return result;
    }

    /// <summary>Reads an enum written as its name or in kebab case (<c>WaitForAck</c>, <c>wait-for-ack</c>).</summary>
    public TEnum Enum<TEnum>(string key)
        where TEnum : struct, Enum
    {
        var text = String(key);
        if (text is null)
        {
            return default;
        }

        var normalized = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        if (normalized.Length > 0 && char.IsAsciiLetter(normalized[0]) && System.Enum.TryParse<TEnum>(normalized, ignoreCase: true, out var value) && System.Enum.IsDefined(value))
        {
            return value;
        }

        var found = SecretKeys.IsSecret(key) ? SecretKeys.Redacted : $"\"{text}\"";
        Fail(key, $"must be one of {string.Join(", ", System.Enum.GetNames<TEnum>().Select(ToKebabCase))}, but is {found}");
        return default;
    }

    /// <summary>
    /// Reads a <c>kafka-clients</c> block as librdkafka properties: nested objects flatten back to dotted keys
    /// (<c>bootstrap.servers</c>), arrays join with commas, null removes a key.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Properties(string key)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var value = Read(key, () => _section.GetValue(key));
        switch (value)
        {
            case null:
                break;
            case HoconObject o:
                Flatten(key, string.Empty, o, builder);
                break;
            default:
                Fail(key, $"must be an object of librdkafka properties, but is {value.Type.ToString().ToLowerInvariant()}{Where(value.Position)}");
                break;
        }

        return builder.ToImmutable();
    }

    private void Flatten(string key, string prefix, HoconObject value, ImmutableSortedDictionary<string, string>.Builder builder)
    {
        foreach (var (name, field) in value)
        {
            var property = prefix.Length == 0 ? name : prefix + "." + name;
            switch (field)
            {
                case HoconObject nested:
                    Flatten(key, property, nested, builder);
                    break;
                case HoconNull:
                    builder.Remove(property);
                    break;
                case HoconArray array when array.All(v => v.ScalarText is not null && v is not HoconNull):
                    builder[property] = string.Join(",", array.Select(v => v.ScalarText));
                    break;
                case HoconArray:
                    Fail(key, $"'{property}' must be a string, number, boolean or list of them{Where(field.Position)}");
                    break;
                default:
                    builder[property] = field.ScalarText!;
                    break;
            }
        }
    }

    private T? Read<T>(string key, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (HoconException e)
        {
            Fail(key, $"{StripKey(e.Reason, key)}{Where(e.Position)}");
            return default;
        }
    }

    private void Fail(string key, string message) => Problems.Fail(key, message);

    // Values of a Config that Pipelines did not read (built in code, or parsed by Akka) have no position to report.
    private static string Where(HoconPosition position) =>
        position.Origin == AkkaConfigConverter.UnknownOrigin && position.Line == 0 ? string.Empty : $" ({position})";

    // Getter messages start with "'key' must be …"; the problem already names the key in full.
    private static string StripKey(string reason, string key)
    {
        var quoted = $"'{key}' ";
        return reason.StartsWith(quoted, StringComparison.Ordinal) ? reason[quoted.Length..] : reason;
    }

    private static string ToKebabCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
