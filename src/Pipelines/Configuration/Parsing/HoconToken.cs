namespace Pipelines.Configuration.Parsing;

/// <summary>One token with its position and the whitespace that preceded it on the same line.</summary>
internal struct HoconToken
{
    public HoconTokenKind Kind;
    public int Line;
    public int Column;

    /// <summary>The string of a quoted or unquoted string, the source text of a number, or <c>true</c>/<c>false</c>/<c>null</c>.</summary>
    public string? Text;

    /// <summary>Start (inclusive) and end (exclusive) of the whitespace directly before the token; equal when there was none.</summary>
    public int WhitespaceStart;
    public int WhitespaceEnd;

    public bool IsInteger;
    public long Integer;
    public double Double;
    public bool Boolean;

    /// <summary>The path of a substitution token.</summary>
    public HoconPath? Path;

    /// <summary>True for <c>${?path}</c>.</summary>
    public bool Optional;

    public readonly bool HasWhitespaceBefore => WhitespaceEnd > WhitespaceStart;

    /// <summary>True for the tokens that can be part of a value concatenation or a key.</summary>
    public readonly bool IsSimpleValue => Kind is HoconTokenKind.QuotedString or HoconTokenKind.UnquotedText
        or HoconTokenKind.Number or HoconTokenKind.Boolean or HoconTokenKind.Null or HoconTokenKind.Substitution;

    /// <summary>True for the tokens that can start a value.</summary>
    public readonly bool StartsValue => IsSimpleValue || Kind is HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket;

    /// <summary>Describes the token for error messages.</summary>
    public readonly string Describe() => Kind switch
    {
        HoconTokenKind.End => "end of input",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.Comma => "','",
        HoconTokenKind.Colon => "':'",
        HoconTokenKind.Equals => "'='",
        HoconTokenKind.PlusEquals => "'+='",
        HoconTokenKind.OpenBrace => "'{'",
        HoconTokenKind.CloseBrace => "'}'",
        HoconTokenKind.OpenBracket => "'['",
        HoconTokenKind.CloseBracket => "']'",
        HoconTokenKind.QuotedString => "string \"" + Shorten(Text!) + "\"",
        HoconTokenKind.UnquotedText => "'" + Shorten(Text!) + "'",
        HoconTokenKind.Number => "number " + Text,
        HoconTokenKind.Boolean => Text!,
        HoconTokenKind.Null => "null",
        HoconTokenKind.Substitution => "substitution " + (Optional ? "${?" : "${") + Path!.Render() + "}",
        _ => Kind.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
