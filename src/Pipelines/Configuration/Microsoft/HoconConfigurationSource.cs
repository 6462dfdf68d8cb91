using Microsoft.Extensions.Configuration;

namespace Pipelines.Configuration;

/// <summary>
/// A Microsoft.Extensions.Configuration source that reads HOCON: a file, a string or an existing <see cref="Config"/>.
/// Add it with <c>AddHocon</c> or <c>AddHoconString</c>.
/// </summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>The HOCON file to read; relative paths are resolved against the builder's base path, else the current directory.</summary>
    public string? Path { get; init; }

    /// <summary>HOCON text to read instead of a file.</summary>
    public string? Text { get; init; }

    /// <summary>A parsed configuration to expose instead of a file or text.</summary>
    public Config? Config { get; init; }

    /// <summary>The name parse errors report for <see cref="Text"/>.</summary>
    public string Origin { get; init; } = "string";

    /// <summary>When true, a missing <see cref="Path"/> gives an empty configuration instead of an error.</summary>
    public bool Optional { get; init; }

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // SetBasePath (Microsoft.Extensions.Configuration.FileExtensions) stores the folder under "BasePath";
        // honouring it keeps AddHocon consistent with AddJsonFile without depending on that package.
        var basePath = builder.Properties.TryGetValue("BasePath", out var value) ? value as string : null;
        var path = Path is null || basePath is null || System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(basePath, Path);
        return new HoconConfigurationProvider(this, path);
    }
}
