namespace Pipelines.Configuration;

/// <summary>Where a configuration value or error comes from: the origin (a file path or <c>string</c>), line and column.</summary>
/// <param name="Origin">The file the text was read from, or a description such as <c>string</c> or <c>env var NAME</c>.</param>
/// <param name="Line">The 1-based line, or 0 when the origin has no text position.</param>
/// <param name="Column">The 1-based column, or 0 when the origin has no text position.</param>
public readonly record struct HoconPosition(string Origin, int Line, int Column)
{
    /// <summary>Renders the position as <c>origin:line:column</c>, or just the origin when it has no line.</summary>
    public override string ToString() => Line > 0 ? $"{Origin}:{Line}:{Column}" : Origin;
}
