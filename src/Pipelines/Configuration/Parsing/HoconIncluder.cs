using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Parsing;

/// <summary>
/// Finds and parses included files: relative to the including file (or the current directory for text parsed
/// from a string), with <c>.conf</c>, <c>.json</c> and <c>.hocon</c> tried for a name without extension. A missing
/// include is ignored unless it is <c>required(…)</c>; an include cycle is an error.
/// </summary>
internal sealed class HoconIncluder
{
    private const int MaxIncludeDepth = 32;
    private static readonly string[] Extensions = [".conf", ".json", ".hocon"];
    private readonly List<string> _active = [];

    /// <summary>Marks the root file as being parsed, so that a file including it is reported as a cycle.</summary>
    public void EnterRoot(string file) => _active.Add(Path.GetFullPath(file));

    /// <summary>Parses the resource <paramref name="spec"/> names, or returns null when it is optional and missing.</summary>
    public HoconObject? Include(HoconIncludeSpec spec, string? includingFile, string[] prefix, int depth, out bool hasSubstitutions)
    {
        hasSubstitutions = false;
        if (spec.Kind == HoconIncludeKind.Classpath)
        {
            var text = EmbeddedResources.Read(spec.Name);
            if (text is null)
            {
                return Missing(spec, [$"embedded resource {spec.Name}"]);
            }

            return HoconParser.Parse(text, "classpath:" + spec.Name, null, this, prefix, depth, out hasSubstitutions);
        }

        string[] candidates;
        if (spec.Kind == HoconIncludeKind.Url)
        {
            if (!Uri.TryCreate(spec.Name, UriKind.Absolute, out var uri) || !uri.IsFile)
            {
                throw new HoconException(spec.Position, $"cannot include url(\"{spec.Name}\"): only file: URLs can be included");
            }

            candidates = [uri.LocalPath];
        }
        else
        {
            var directory = includingFile is null ? string.Empty : Path.GetDirectoryName(includingFile) ?? string.Empty;
            var path = Path.IsPathRooted(spec.Name) ? spec.Name : Path.Combine(directory, spec.Name);
            candidates = Path.HasExtension(spec.Name) ? [path] : [path, .. Extensions.Select(e => path + e)];
        }

        var file = candidates.FirstOrDefault(File.Exists);
        if (file is null)
        {
            return Missing(spec, candidates);
        }

        var fullPath = Path.GetFullPath(file);
        if (_active.Contains(fullPath, StringComparer.Ordinal))
        {
            throw new HoconException(spec.Position, $"include cycle: {string.Join(" -> ", _active.SkipWhile(a => a != fullPath).Append(fullPath))}");
        }

        if (_active.Count >= MaxIncludeDepth)
        {
            throw new HoconException(spec.Position, $"includes are nested more than {MaxIncludeDepth} files deep");
        }

        string content;
        try
        {
            content = File.ReadAllText(file);
        }
        catch (IOException e)
        {
            throw new HoconException(spec.Position, $"cannot read included file '{file}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HoconException(spec.Position, $"cannot read included file '{file}': {e.Message}", e);
        }

        _active.Add(fullPath);
        try
        {
            return HoconParser.Parse(content, file, file, this, prefix, depth, out hasSubstitutions);
        }
        finally
        {
            _active.RemoveAt(_active.Count - 1);
        }
    }

    private static HoconObject? Missing(HoconIncludeSpec spec, IEnumerable<string> lookedFor)
    {
        if (spec.Required)
        {
            throw new HoconException(spec.Position, $"required include '{spec.Name}' was not found (looked for {string.Join(", ", lookedFor)})");
        }

        return null;
    }
}
