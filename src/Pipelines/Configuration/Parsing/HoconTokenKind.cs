namespace Pipelines.Configuration.Parsing;

/// <summary>The kinds of token the HOCON tokenizer produces (comments and insignificant whitespace are skipped).</summary>
internal enum HoconTokenKind
{
    End,
    Newline,
    Comma,
    Colon,
    Equals,
    PlusEquals,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    QuotedString,
    UnquotedText,
    Number,
    Boolean,
    Null,
    Substitution,
}
