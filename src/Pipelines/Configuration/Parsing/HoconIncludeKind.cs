namespace Pipelines.Configuration.Parsing;

/// <summary>How an include names its resource.</summary>
internal enum HoconIncludeKind
{
    /// <summary><c>include "name"</c>: a file relative to the including file.</summary>
    Heuristic,

    /// <summary><c>include file("name")</c>.</summary>
    File,

    /// <summary><c>include url("file:///...")</c>; only file URLs are read.</summary>
    Url,

    /// <summary><c>include classpath("name")</c>: a resource embedded in the Pipelines assembly.</summary>
    Classpath,
}
