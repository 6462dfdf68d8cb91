using Pipelines.Configuration.Parsing;

namespace Pipelines.Configuration;

/// <summary>
/// Creates this library's configuration trees: from HOCON text or files, the reference configuration embedded in the
/// library, and <see cref="Load(string?)"/>, the user's file resolved over the reference. The public face is
/// <see cref="PipelinesConfiguration"/>, which hands the trees to Akka.
/// </summary>
internal static class HoconConfigFactory
{
    private static readonly Lazy<HoconConfig> ReferenceConfig = new(LoadReference);

    /// <summary>Parses HOCON text; includes are relative to the current directory.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="origin">The name errors report for this text.</param>
    /// <exception cref="HoconException">The text is not valid HOCON; the message gives line and column.</exception>
    public static HoconConfig ParseString(string text, string origin = "string")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(origin);
        var root = HoconParser.Parse(text, origin, null, new HoconIncluder(), [], 0, out var hasSubstitutions);
        return new HoconConfig(root, hasSubstitutions);
    }

    /// <summary>Parses a HOCON file; includes are relative to its folder.</summary>
    /// <exception cref="HoconException">The file is missing, unreadable or not valid HOCON.</exception>
    public static HoconConfig ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HoconException(new HoconPosition(path, 0, 0), $"cannot read the configuration file: {e.Message}", e);
        }

        var includer = new HoconIncluder();
        includer.EnterRoot(path);
        var root = HoconParser.Parse(text, path, path, includer, [], 0, out var hasSubstitutions);
        return new HoconConfig(root, hasSubstitutions);
    }

    /// <summary>The reference configuration embedded in the library: every default Pipelines uses, in one place.</summary>
    public static HoconConfig Reference() => ReferenceConfig.Value;

    /// <summary>
    /// Loads <paramref name="path"/> (or <see cref="PipelinesConfiguration.DefaultFile"/> when it exists) with the reference configuration
    /// as fallback, and resolves the result (environment variables included).
    /// </summary>
    /// <exception cref="HoconException">The file is missing (when named), invalid, or a substitution cannot be resolved.</exception>
    public static HoconConfig Load(string? path = null) => Load(path, Environment.GetEnvironmentVariable);

    /// <summary>Like <see cref="Load(string?)"/>, with <paramref name="environment"/> answering for environment variables.</summary>
    internal static HoconConfig Load(string? path, Func<string, string?> environment)
    {
        var file = path ?? PipelinesConfiguration.FindDefaultFile();
        var user = file is null ? HoconConfig.Empty : ParseFile(file);
        return user.WithFallback(Reference()).Resolve(environment);
    }

    private static HoconConfig LoadReference()
    {
        var text = EmbeddedResources.Read(EmbeddedResources.ReferenceName)
            ?? throw new InvalidOperationException($"The embedded {EmbeddedResources.ReferenceName} is missing from {typeof(HoconConfigFactory).Assembly.GetName().Name}.");
        return ParseString(text, EmbeddedResources.ReferenceName).Resolve();
    }
}
