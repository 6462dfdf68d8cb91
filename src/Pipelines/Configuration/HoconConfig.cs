using System.Globalization;
using Pipelines.Configuration.Conversion;
using Pipelines.Configuration.Parsing;
using Pipelines.Configuration.Rendering;
using Pipelines.Configuration.Resolution;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration;

/// <summary>
/// The parsed HOCON tree as this library reads it (users see Akka's <c>Config</c>, built from it by
/// <see cref="PipelinesConfiguration"/>): typed getters by path (<c>akka.kafka.consumer.poll-interval</c>),
/// sub-configurations, and merging with a fallback. Substitutions are resolved against the whole configuration
/// on first use (or explicitly with <see cref="Resolve()"/>), so merge fallbacks before reading values.
/// </summary>
internal sealed class HoconConfig
{
    private readonly HoconObject _root;
    private readonly bool _needsResolution;
    private HoconObject? _resolved;

    internal HoconConfig(HoconObject root, bool needsResolution)
    {
        _root = root;
        _needsResolution = needsResolution;
        if (!needsResolution)
        {
            _resolved = root;
        }
    }

    /// <summary>A configuration without any value.</summary>
    public static HoconConfig Empty { get; } = new(new HoconObject(new HoconPosition("empty config", 0, 0)), needsResolution: false);

    /// <summary>The resolved root object (resolving the configuration if that has not happened yet).</summary>
    /// <exception cref="HoconException">A substitution cannot be resolved.</exception>
    public HoconObject Root => _resolved ?? ResolveRoot(Environment.GetEnvironmentVariable);

    /// <summary>True once every substitution has been replaced (always true for text without substitutions).</summary>
    public bool IsResolved => _resolved is not null;

    /// <summary>True when the configuration has no keys.</summary>
    public bool IsEmpty => _root.Count == 0;

    /// <summary>Where the configuration was read from (a file path, <c>string</c>, …).</summary>
    public string Origin => _root.Position.Origin;

    internal HoconObject UnresolvedRoot => _root;

    /// <summary>
    /// Returns this configuration with <paramref name="fallback"/> underneath: values missing here come from the
    /// fallback, objects merge key by key, and substitutions resolve against the merged result.
    /// </summary>
    public HoconConfig WithFallback(HoconConfig fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (fallback.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return fallback;
        }

        var merged = (HoconObject)HoconMerge.Merge(_root, fallback._root);
        return new HoconConfig(merged, _needsResolution || fallback._needsResolution);
    }

    /// <summary>Returns a configuration holding only <paramref name="value"/>, placed under <paramref name="path"/> (the inverse of <see cref="GetConfig"/>).</summary>
    internal static HoconConfig At(string path, HoconValue value)
    {
        var segments = HoconPath.Parse(path).Segments;
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            value = HoconObject.Single(segments[i], value, value.Position);
        }

        return new HoconConfig((HoconObject)value, needsResolution: false);
    }

    /// <summary>Returns the resolved configuration: substitutions replaced, environment variables consulted.</summary>
    /// <exception cref="HoconException">A substitution cannot be resolved or is part of a cycle; the message names its position.</exception>
    public HoconConfig Resolve()
    {
        _ = Root;
        return this;
    }

    /// <summary>Resolves with <paramref name="environment"/> answering for environment variables (tests inject it).</summary>
    internal HoconConfig Resolve(Func<string, string?> environment)
    {
        if (!_needsResolution)
        {
            return this;
        }

        return new HoconConfig(HoconResolver.Resolve(_root, environment), needsResolution: false);
    }

    private HoconObject ResolveRoot(Func<string, string?> environment)
    {
        var resolved = HoconResolver.Resolve(_root, environment);
        return Interlocked.CompareExchange(ref _resolved, resolved, null) ?? resolved;
    }

    /// <summary>True when <paramref name="path"/> holds a value other than <c>null</c>.</summary>
    public bool HasPath(string path) => GetValue(path) is not (null or HoconNull);

    /// <summary>Returns the value at <paramref name="path"/>, or <see langword="null"/> when there is none.</summary>
    public HoconValue? GetValue(string path)
    {
        var parsed = HoconPath.Parse(path);
        HoconValue node = Root;
        foreach (var segment in parsed.Segments)
        {
            if (node is not HoconObject o || !o.TryGetValue(segment, out node!))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Returns the string at <paramref name="path"/>; numbers and booleans are returned as written.</summary>
    /// <exception cref="HoconException">The path is missing, null, or holds an object or array.</exception>
    public string GetString(string path)
    {
        var value = Require(path);
        return value.ScalarText ?? throw WrongType(path, value, "a string");
    }

    /// <summary>Returns the string at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public string? GetString(string path, string? defaultValue) => HasPath(path) ? GetString(path) : defaultValue;

    /// <summary>Returns the boolean at <paramref name="path"/>: <c>true</c>/<c>false</c>, or the strings yes/no, on/off.</summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a boolean.</exception>
    public bool GetBoolean(string path)
    {
        var value = Require(path);
        switch (value)
        {
            case HoconBoolean b:
                return b.Value;
            case HoconString s:
                switch (s.Value.ToLowerInvariant())
                {
                    case "true" or "yes" or "on":
                        return true;
                    case "false" or "no" or "off":
                        return false;
                }

                break;
        }

        throw WrongType(path, value, "a boolean (true/false, yes/no, on/off)");
    }

    /// <summary>Returns the boolean at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public bool GetBoolean(string path, bool defaultValue) => HasPath(path) ? GetBoolean(path) : defaultValue;

    /// <summary>Returns the 32-bit integer at <paramref name="path"/> (a number, or a string holding one).</summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a whole number in range.</exception>
    public int GetInt(string path)
    {
        var value = GetLong(path);
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw WrongType(path, Require(path), "a 32-bit integer");
        }

        return (int)value;
    }

    /// <summary>Returns the integer at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public int GetInt(string path, int defaultValue) => HasPath(path) ? GetInt(path) : defaultValue;

    /// <summary>Returns the 64-bit integer at <paramref name="path"/> (a number, or a string holding one).</summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a whole number.</exception>
    public long GetLong(string path)
    {
        var value = Require(path);
        if (value is HoconNumber { IsInteger: true } n)
        {
            return n.Int64Value;
        }

        var d = ToDouble(value);
        if (d is { } whole && Math.Floor(whole) == whole && whole >= long.MinValue && whole <= long.MaxValue)
        {
            if (value is HoconString s && long.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact))
            {
                return exact;
            }

            return (long)whole;
        }

        throw WrongType(path, value, "a whole number");
    }

    /// <summary>Returns the integer at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public long GetLong(string path, long defaultValue) => HasPath(path) ? GetLong(path) : defaultValue;

    /// <summary>Returns the number at <paramref name="path"/> (a number, or a string holding one).</summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a number.</exception>
    public double GetDouble(string path)
    {
        var value = Require(path);
        return ToDouble(value) ?? throw WrongType(path, value, "a number");
    }

    /// <summary>Returns the number at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public double GetDouble(string path, double defaultValue) => HasPath(path) ? GetDouble(path) : defaultValue;

    /// <summary>
    /// Returns the duration at <paramref name="path"/>: a number with a unit (<c>50ms</c>, <c>10 s</c>, <c>2 minutes</c>),
    /// or a bare number of milliseconds; <c>infinite</c> gives <see cref="Timeout.InfiniteTimeSpan"/> when allowed.
    /// </summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a duration.</exception>
    public TimeSpan GetTimeSpan(string path, bool allowInfinite = false)
    {
        var value = Require(path);
        if (value is HoconNumber n)
        {
            // A bare number is milliseconds.
            var ticks = n.DoubleValue * TimeSpan.TicksPerMillisecond;
            if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
            {
                throw new HoconException(value.Position, $"'{path}' must be a duration such as 50ms or 10s, but {n.Text} milliseconds is too long");
            }

            return TimeSpan.FromTicks((long)ticks);
        }

        if (value is HoconString s)
        {
            if (HoconDurations.TryParse(s.Value, allowInfinite, out var result, out var problem))
            {
                return result;
            }

            throw new HoconException(value.Position, SecretKeys.IsSecret(path)
                ? $"'{path}' must be a duration such as 50ms or 10s, but is {SecretKeys.Redacted}"
                : $"'{path}' must be a duration such as 50ms or 10s, but is \"{s.Value}\": {problem}");
        }

        throw WrongType(path, value, "a duration such as 50ms or 10s");
    }

    /// <summary>Returns the duration at <paramref name="path"/>, or <paramref name="defaultValue"/> when it is missing.</summary>
    public TimeSpan GetTimeSpan(string path, TimeSpan defaultValue, bool allowInfinite = false) =>
        HasPath(path) ? GetTimeSpan(path, allowInfinite) : defaultValue;

    /// <summary>Returns the size in bytes at <paramref name="path"/>: a number of bytes, or a number with a unit (<c>64KiB</c>, <c>10MB</c>).</summary>
    /// <exception cref="HoconException">The path is missing, or the value is not a size.</exception>
    public long GetByteSize(string path)
    {
        var value = Require(path);
        if (value is HoconNumber { IsInteger: true } n)
        {
            return n.Int64Value;
        }

        if (value is HoconString s)
        {
            if (HoconByteSizes.TryParse(s.Value, out var result, out var problem))
            {
                return result;
            }

            throw new HoconException(value.Position, SecretKeys.IsSecret(path)
                ? $"'{path}' must be a size such as 512KiB or 10MB, but is {SecretKeys.Redacted}"
                : $"'{path}' must be a size such as 512KiB or 10MB, but is \"{s.Value}\": {problem}");
        }

        throw WrongType(path, value, "a size in bytes such as 512KiB or 10MB");
    }

    /// <summary>Returns the array at <paramref name="path"/> as strings (numbers and booleans as written).</summary>
    /// <exception cref="HoconException">The path is missing, is not an array, or holds objects or arrays.</exception>
    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Require(path);
        if (value is not HoconArray array)
        {
            throw WrongType(path, value, "an array of strings");
        }

        var result = new string[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            result[i] = array[i] is HoconNull || array[i].ScalarText is not { } text
                ? throw WrongType($"{path}[{i}]", array[i], "a string")
                : text;
        }

        return result;
    }

    /// <summary>Returns the object at <paramref name="path"/> as a configuration of its own.</summary>
    /// <exception cref="HoconException">The path is missing or is not an object.</exception>
    public HoconConfig GetConfig(string path)
    {
        var value = Require(path);
        return value is HoconObject o ? new HoconConfig(o, needsResolution: false) : throw WrongType(path, value, "an object");
    }

    /// <summary>Renders the resolved configuration as HOCON text that parses back to the same values, secrets included.</summary>
    public string ToHocon() => HoconRenderer.Render(Root, json: false, root: true);

    /// <summary>Renders the resolved configuration as JSON, secrets included.</summary>
    public string ToJson() => HoconRenderer.Render(Root, json: true);

    /// <summary>Renders the configuration as HOCON with secret values redacted: this is what debuggers and logs show.</summary>
    public override string ToString() => HoconRenderer.Render(Root, json: false, root: true, redactSecrets: true);

    private HoconValue Require(string path)
    {
        var value = GetValue(path) ?? throw new HoconException(new HoconPosition(Origin, 0, 0), $"no configuration value at '{path}'");
        if (value is HoconNull)
        {
            throw new HoconException(value.Position, $"'{path}' is null, expected a value");
        }

        return value;
    }

    private static double? ToDouble(HoconValue value) => value switch
    {
        HoconNumber n => n.DoubleValue,
        HoconString s when double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static HoconException WrongType(string path, HoconValue value, string expected)
    {
        var secret = SecretKeys.IsSecret(path);
        var found = value switch
        {
            HoconObject => "an object",
            HoconArray => "an array",
            HoconString when secret => "the string " + SecretKeys.Redacted,
            HoconString s => $"the string \"{s.Value}\"",
            HoconNumber when secret => "the number " + SecretKeys.Redacted,
            HoconNumber n => "the number " + n.Text,
            HoconBoolean b => "the boolean " + b.ScalarText,
            _ => "null",
        };
        return new HoconException(value.Position, $"'{path}' must be {expected}, but is {found}");
    }
}
