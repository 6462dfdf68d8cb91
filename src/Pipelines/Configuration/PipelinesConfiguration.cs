using Akka.Configuration;
using Pipelines.Configuration.Conversion;

namespace Pipelines.Configuration;

/// <summary>
/// Reads HOCON files with Pipelines' parser (the Lightbend rules, environment variables, includes, errors with
/// file:line:column) and returns Akka's <see cref="Config"/>, ready for <c>ActorSystem.Create</c>, Akka.Hosting's
/// <c>AddHocon</c> and the settings classes; Akka's own parser never reads the files.
/// </summary>
public static class PipelinesConfiguration
{
    /// <summary>The application's configuration file, looked up relative to the current directory, then next to the application.</summary>
    public const string DefaultFile = "config/akka.hocon";

    /// <summary>
    /// Loads <paramref name="path"/> (or <see cref="DefaultFile"/> when it exists) over the reference configuration
    /// embedded in Pipelines, with every substitution resolved (environment variables included). An ActorSystem
    /// created from the result adds Akka's own defaults underneath.
    /// </summary>
    /// <param name="path">The file to load; null for <see cref="DefaultFile"/>, or the reference alone when there is none.</param>
    /// <exception cref="HoconException">The file is missing (when named), invalid, or a substitution cannot be resolved; the message starts with file:line:column.</exception>
    public static Config Load(string? path = null) => Load(path, Environment.GetEnvironmentVariable);

    /// <summary>Like <see cref="Load(string?)"/>, with <paramref name="environment"/> answering for environment variables (tests inject it).</summary>
    internal static Config Load(string? path, Func<string, string?> environment) =>
        AkkaConfigConverter.ToAkka(HoconConfigFactory.Load(path, environment).Root);

    /// <summary>Parses and resolves HOCON text (substitutions against the text itself and environment variables), without the reference configuration.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="origin">The name errors report for this text.</param>
    /// <exception cref="HoconException">The text is not valid HOCON or a substitution cannot be resolved; the message gives line and column.</exception>
    public static Config ParseString(string text, string origin = "string") =>
        AkkaConfigConverter.ToAkka(HoconConfigFactory.ParseString(text, origin).Root);

    /// <summary>Parses and resolves a HOCON file (includes relative to its folder), without the reference configuration.</summary>
    /// <exception cref="HoconException">The file is missing, unreadable or not valid HOCON, or a substitution cannot be resolved.</exception>
    public static Config ParseFile(string path) => AkkaConfigConverter.ToAkka(HoconConfigFactory.ParseFile(path).Root);

    /// <summary>The reference configuration embedded in Pipelines (<c>reference.conf</c>): every default of its settings, in one place.</summary>
    public static Config Reference() => AkkaConfigConverter.ToAkka(HoconConfigFactory.Reference().Root);

    /// <summary>Finds <see cref="DefaultFile"/>: relative to the current directory first, then next to the application; null when neither exists.</summary>
    public static string? FindDefaultFile()
    {
        if (File.Exists(DefaultFile))
        {
            return DefaultFile;
        }

        var besideApplication = Path.Combine(AppContext.BaseDirectory, DefaultFile);
        return File.Exists(besideApplication) ? besideApplication : null;
    }
}
