using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Config = Akka.Configuration.Config;

namespace Pipelines.Configuration;

/// <summary>
/// A Microsoft.Extensions.Configuration source that reads HOCON: a file, a string or an existing Akka <see cref="Config"/>.
/// Add it with <c>AddHocon</c> or <c>AddHoconString</c>.
/// </summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>The HOCON file to read; a relative path is resolved against the builder's base path (<c>SetBasePath</c>), else the application's folder.</summary>
    public string? Path { get; init; }

    /// <summary>HOCON text to read instead of a file.</summary>
    public string? Text { get; init; }

    /// <summary>A configuration to expose instead of a file or text, e.g. <see cref="PipelinesConfiguration.Load(string?)"/>.</summary>
    public Config? Config { get; init; }

    /// <summary>The name parse errors report for <see cref="Text"/>.</summary>
    public string Origin { get; init; } = "string";

    /// <summary>When true, a missing <see cref="Path"/> gives an empty configuration instead of an error.</summary>
    public bool Optional { get; init; }

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Relative paths resolve like AddJsonFile's: against SetBasePath's folder, else the application's folder.
        var basePath = (builder.GetFileProvider() as PhysicalFileProvider)?.Root;
        var path = Path is null || basePath is null || System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(basePath, Path);
        return new HoconConfigurationProvider(this, path);
    }
}
