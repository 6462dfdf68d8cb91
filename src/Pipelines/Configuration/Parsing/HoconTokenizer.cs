using System.Globalization;
using System.Text;

namespace Pipelines.Configuration.Parsing;

/// <summary>
/// Splits HOCON text into tokens on demand, one token of look-ahead. Comments and whitespace are skipped, but each
/// token remembers the whitespace before it on its line, because between two simple values that whitespace is
/// part of the value (<c>a = foo  bar</c> is <c>"foo  bar"</c>).
/// </summary>
internal sealed class HoconTokenizer
{
    private readonly string _text;
    private readonly string _origin;
    private readonly StringBuilder _builder = new();
    private int _position;
    private int _line = 1;
    private int _lineStart;
    private HoconToken _peeked;
    private bool _hasPeeked;

    public HoconTokenizer(string text, string origin)
    {
        _text = text;
        _origin = origin;
    }

    public string Origin => _origin;

    public HoconToken Peek()
    {
        if (!_hasPeeked)
        {
            _peeked = Read();
            _hasPeeked = true;
        }

        return _peeked;
    }

    public HoconToken Next()
    {
        if (_hasPeeked)
        {
            _hasPeeked = false;
            return _peeked;
        }

        return Read();
    }

    public string WhitespaceBefore(in HoconToken token) =>
        _text.Substring(token.WhitespaceStart, token.WhitespaceEnd - token.WhitespaceStart);

    public HoconPosition PositionOf(in HoconToken token) => new(_origin, token.Line, token.Column);

    public HoconException Error(in HoconToken token, string reason) => new(PositionOf(token), reason);

    private HoconException ErrorHere(string reason) => new(new HoconPosition(_origin, _line, _position - _lineStart + 1), reason);

    private HoconException ErrorAt(int index, string reason) => new(new HoconPosition(_origin, _line, index - _lineStart + 1), reason);

    /// <summary>Parses a getter's path expression such as <c>a."b.c".d</c>.</summary>
    public static HoconPath ParsePathExpression(string expression)
    {
        var tokenizer = new HoconTokenizer(expression, "path expression");
        var builder = new HoconPathBuilder();
        var first = true;
        while (true)
        {
            var token = tokenizer.Next();
            if (token.Kind == HoconTokenKind.End)
            {
                break;
            }

            if (!token.IsSimpleValue || token.Kind == HoconTokenKind.Substitution)
            {
                throw tokenizer.Error(token, $"invalid path '{expression}': unexpected {token.Describe()}; a path looks like a.b.c, with quotes around elements that contain dots");
            }

            if (!first && token.HasWhitespaceBefore)
            {
                builder.AddUnquoted(tokenizer.WhitespaceBefore(token));
            }

            first = false;
            if (!(token.Kind == HoconTokenKind.QuotedString ? AddQuoted(builder, token.Text!) : builder.AddUnquoted(token.Text)))
            {
                throw tokenizer.Error(token, $"invalid path '{expression}': it has an empty element (two dots in a row, or a leading dot)");
            }
        }

        return builder.Build() ?? throw new HoconException(new HoconPosition("path expression", 1, 1), $"invalid path '{expression}': it is empty or ends with a dot");

        static bool AddQuoted(HoconPathBuilder builder, string text)
        {
            builder.AddQuoted(text);
            return true;
        }
    }

    /// <summary>
    /// Reads the argument of an include statement, after the <c>include</c> keyword: a quoted name, or
    /// <c>file(…)</c>, <c>url(…)</c>, <c>classpath(…)</c>, optionally inside <c>required(…)</c>.
    /// </summary>
    public HoconIncludeSpec ReadIncludeSpec(in HoconToken keyword)
    {
        System.Diagnostics.Debug.Assert(!_hasPeeked, "the include argument is read from characters, not tokens");
        SkipWhitespaceAndNewlines();
        var start = new HoconPosition(_origin, _line, _position - _lineStart + 1);
        var spec = ReadIncludeResource(keyword, allowRequired: true, required: false);
        return spec with { Position = start };
    }

    private HoconIncludeSpec ReadIncludeResource(in HoconToken keyword, bool allowRequired, bool required)
    {
        if (_position < _text.Length && _text[_position] == '"')
        {
            return new HoconIncludeSpec(HoconIncludeKind.Heuristic, ReadIncludeName(), required, default);
        }

        var wordStart = _position;
        while (_position < _text.Length && char.IsAsciiLetter(_text[_position]))
        {
            _position++;
        }

        var word = _text[wordStart.._position];
        if (_position >= _text.Length || _text[_position] != '(' || word.Length == 0)
        {
            _position = wordStart;
            throw ErrorHere("expected a quoted file name, file(\"…\"), classpath(\"…\"), url(\"…\") or required(…) after 'include' "
                + "(no space before '('); to use include as a key, quote it: \"include\"");
        }

        _position++;
        HoconIncludeSpec spec;
        switch (word)
        {
            case "required" when allowRequired:
                SkipWhitespaceAndNewlines();
                spec = ReadIncludeResource(keyword, allowRequired: false, required: true);
                break;
            case "file":
                spec = new HoconIncludeSpec(HoconIncludeKind.File, ReadParenthesizedName(), required, default);
                break;
            case "url":
                spec = new HoconIncludeSpec(HoconIncludeKind.Url, ReadParenthesizedName(), required, default);
                break;
            case "classpath":
                spec = new HoconIncludeSpec(HoconIncludeKind.Classpath, ReadParenthesizedName(), required, default);
                break;
            default:
                throw ErrorAt(wordStart, $"unknown include form '{word}(': expected file(\"…\"), classpath(\"…\"), url(\"…\") or required(…)");
        }

        SkipWhitespaceAndNewlines();
        if (_position >= _text.Length || _text[_position] != ')')
        {
            throw ErrorHere($"expected ')' to close '{word}(' of the include");
        }

        _position++;
        return spec;
    }

    private string ReadParenthesizedName()
    {
        SkipWhitespaceAndNewlines();
        if (_position >= _text.Length || _text[_position] != '"')
        {
            throw ErrorHere("expected a quoted file name inside the include's parentheses");
        }

        return ReadIncludeName();
    }

    private string ReadIncludeName()
    {
        var token = Read();
        if (token.Kind != HoconTokenKind.QuotedString)
        {
            throw Error(token, "expected a quoted file name");
        }

        SkipWhitespace();
        return token.Text!;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] != '\n' && IsWhitespace(_text[_position]))
        {
            _position++;
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\n')
            {
                NewLine();
            }
            else if (IsWhitespace(c))
            {
                _position++;
            }
            else if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                SkipComment();
            }
            else
            {
                break;
            }
        }
    }

    private void NewLine()
    {
        _position++;
        _line++;
        _lineStart = _position;
    }

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void SkipComment()
    {
        var end = _text.IndexOf('\n', _position);
        _position = end < 0 ? _text.Length : end;
    }

    private HoconToken Read()
    {
        var whitespaceStart = _position;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\n')
            {
                break;
            }

            if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                SkipComment();
                continue;
            }

            if (!IsWhitespace(c))
            {
                break;
            }

            _position++;
        }

        var token = new HoconToken
        {
            Line = _line,
            Column = _position - _lineStart + 1,
            WhitespaceStart = whitespaceStart,
            WhitespaceEnd = _position,
        };

        if (_position >= _text.Length)
        {
            token.Kind = HoconTokenKind.End;
            return token;
        }

        var ch = _text[_position];
        switch (ch)
        {
            case '\n':
                NewLine();
                token.Kind = HoconTokenKind.Newline;
                return token;
            case ',':
                return Single(ref token, HoconTokenKind.Comma);
            case ':':
                return Single(ref token, HoconTokenKind.Colon);
            case '=':
                return Single(ref token, HoconTokenKind.Equals);
            case '{':
                return Single(ref token, HoconTokenKind.OpenBrace);
            case '}':
                return Single(ref token, HoconTokenKind.CloseBrace);
            case '[':
                return Single(ref token, HoconTokenKind.OpenBracket);
            case ']':
                return Single(ref token, HoconTokenKind.CloseBracket);
            case '+':
                if (Peek(1) != '=')
                {
                    throw ErrorHere("reserved character '+' is not allowed outside quotes (did you mean '+='?)");
                }

                _position += 2;
                token.Kind = HoconTokenKind.PlusEquals;
                return token;
            case '"':
                token.Kind = HoconTokenKind.QuotedString;
                token.Text = Peek(1) == '"' && Peek(2) == '"' ? ReadTripleQuoted(token) : ReadQuoted(token);
                return token;
            case '$':
                ReadSubstitution(ref token);
                return token;
            default:
                if (ch == '-' || char.IsAsciiDigit(ch))
                {
                    ReadNumber(ref token);
                    return token;
                }

                if (IsReserved(ch))
                {
                    throw ErrorHere($"reserved character '{ch}' is not allowed outside quotes; put the value in quotes");
                }

                ReadUnquoted(ref token);
                return token;
        }
    }

    private HoconToken Single(ref HoconToken token, HoconTokenKind kind)
    {
        _position++;
        token.Kind = kind;
        return token;
    }

    private void ReadUnquoted(ref HoconToken token)
    {
        var start = _position;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (IsWhitespace(c) || IsNotInUnquoted(c) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            _position++;
        }

        // true/false/null are recognised at the start of unquoted text whatever follows them; the rest
        // becomes the next token (so "trueish" is the concatenation of true and "ish", still "trueish").
        var span = _text.AsSpan(start, _position - start);
        if (span.StartsWith("true"))
        {
            SetKeyword(ref token, start, 4, HoconTokenKind.Boolean, "true", true);
        }
        else if (span.StartsWith("false"))
        {
            SetKeyword(ref token, start, 5, HoconTokenKind.Boolean, "false", false);
        }
        else if (span.StartsWith("null"))
        {
            SetKeyword(ref token, start, 4, HoconTokenKind.Null, "null", false);
        }
        else
        {
            token.Kind = HoconTokenKind.UnquotedText;
            token.Text = span.ToString();
        }
    }

    private void SetKeyword(ref HoconToken token, int start, int length, HoconTokenKind kind, string text, bool value)
    {
        _position = start + length;
        token.Kind = kind;
        token.Text = text;
        token.Boolean = value;
    }

    private void ReadNumber(ref HoconToken token)
    {
        var start = _position;
        var decimalOrExponent = false;
        var plus = -1;
        _position++;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (char.IsAsciiDigit(c) || c == '-')
            {
                _position++;
            }
            else if (c is '.' or 'e' or 'E')
            {
                decimalOrExponent = true;
                _position++;
            }
            else if (c == '+')
            {
                plus = plus < 0 ? _position : plus;
                _position++;
            }
            else
            {
                break;
            }
        }

        var span = _text.AsSpan(start, _position - start);
        if (decimalOrExponent)
        {
            if (double.TryParse(span, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
                && double.IsFinite(d))
            {
                token.Kind = HoconTokenKind.Number;
                token.Text = span.ToString();
                token.Double = d;
                return;
            }
        }
        else if (long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            token.Kind = HoconTokenKind.Number;
            token.Text = span.ToString();
            token.Integer = l;
            token.IsInteger = true;
            return;
        }

        // Not a number after all (1.2.3, 10-20, 2024-01-01): it is unquoted text, unless it holds a '+'.
        if (plus >= 0)
        {
            throw ErrorAt(plus, "reserved character '+' is not allowed outside quotes; put the value in quotes");
        }

        token.Kind = HoconTokenKind.UnquotedText;
        token.Text = span.ToString();
    }

    private string ReadQuoted(in HoconToken token)
    {
        _position++;
        _builder.Clear();
        while (true)
        {
            var runStart = _position;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '"' || c == '\\' || c < ' ')
                {
                    break;
                }

                _position++;
            }

            _builder.Append(_text, runStart, _position - runStart);
            if (_position >= _text.Length)
            {
                throw ErrorHere($"unterminated quoted string (opened at {token.Line}:{token.Column}): expected '\"'");
            }

            var ch = _text[_position];
            if (ch == '"')
            {
                _position++;
                return _builder.ToString();
            }

            if (ch == '\n')
            {
                throw ErrorHere($"end of line inside a quoted string opened at {token.Line}:{token.Column}: use \\n, or a triple-quoted \"\"\"string\"\"\" for text on several lines");
            }

            if (ch != '\\')
            {
                throw ErrorHere($"control character U+{(int)ch:X4} inside a quoted string; escape it (e.g. \\t, \\u{(int)ch:X4})");
            }

            ReadEscape();
        }
    }

    private void ReadEscape()
    {
        var escapeStart = _position;
        _position++;
        if (_position >= _text.Length)
        {
            throw ErrorHere("unterminated escape sequence at end of input");
        }

        var e = _text[_position++];
        switch (e)
        {
            case '"': _builder.Append('"'); break;
            case '\\': _builder.Append('\\'); break;
            case '/': _builder.Append('/'); break;
            case 'b': _builder.Append('\b'); break;
            case 'f': _builder.Append('\f'); break;
            case 'n': _builder.Append('\n'); break;
            case 'r': _builder.Append('\r'); break;
            case 't': _builder.Append('\t'); break;
            case 'u':
                if (_position + 4 > _text.Length
                    || !ushort.TryParse(_text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    throw ErrorAt(escapeStart, "invalid \\u escape: expected four hexadecimal digits, e.g. \\u00e9");
                }

                _builder.Append((char)code);
                _position += 4;
                break;
            default:
                throw ErrorAt(escapeStart, $"invalid escape '\\{(e == '\n' ? "\\n" : e.ToString())}' in a quoted string; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
        }
    }

    private string ReadTripleQuoted(in HoconToken token)
    {
        _position += 3;
        var start = _position;
        var close = _text.IndexOf("\"\"\"", _position, StringComparison.Ordinal);
        if (close < 0)
        {
            AdvanceOver(_text.Length);
            throw ErrorHere($"unterminated triple-quoted string (opened at {token.Line}:{token.Column}): expected '\"\"\"'");
        }

        // The string ends at the last three quotes of a run: """a"""" is a followed by one quote.
        var end = close + 3;
        while (end < _text.Length && _text[end] == '"')
        {
            end++;
        }

        var value = _text.Substring(start, end - 3 - start);
        AdvanceOver(end);
        return value;
    }

    /// <summary>Moves to <paramref name="end"/>, counting the newlines passed (triple-quoted strings span lines).</summary>
    private void AdvanceOver(int end)
    {
        while (true)
        {
            var newline = _text.IndexOf('\n', _position, end - _position);
            if (newline < 0)
            {
                break;
            }

            _position = newline;
            NewLine();
        }

        _position = end;
    }

    private void ReadSubstitution(ref HoconToken token)
    {
        if (Peek(1) != '{')
        {
            throw ErrorHere("'$' is only allowed as the start of a substitution ${path}; put the value in quotes for a literal '$'");
        }

        _position += 2;
        token.Kind = HoconTokenKind.Substitution;
        if (Peek(0) == '?')
        {
            token.Optional = true;
            _position++;
        }

        var builder = new HoconPathBuilder();
        var pieces = 0;
        while (true)
        {
            var inner = Read();
            switch (inner.Kind)
            {
                case HoconTokenKind.CloseBrace:
                    if (pieces == 0)
                    {
                        throw Error(inner, "empty substitution: expected a path such as ${a.b}");
                    }

                    token.Path = builder.Build() ?? throw Error(inner, "substitution path ends with '.': expected a path element after the dot");
                    return;
                case HoconTokenKind.QuotedString:
                case HoconTokenKind.UnquotedText:
                case HoconTokenKind.Number:
                case HoconTokenKind.Boolean:
                case HoconTokenKind.Null:
                    if (pieces > 0 && inner.HasWhitespaceBefore)
                    {
                        builder.AddUnquoted(WhitespaceBefore(inner));
                    }

                    pieces++;
                    if (inner.Kind == HoconTokenKind.QuotedString)
                    {
                        builder.AddQuoted(inner.Text!);
                    }
                    else if (!builder.AddUnquoted(inner.Text))
                    {
                        throw Error(inner, "substitution path has an empty element (two dots in a row, or a leading dot)");
                    }

                    break;
                case HoconTokenKind.End:
                case HoconTokenKind.Newline:
                    throw Error(inner, $"expected '}}' to close the substitution opened at {token.Line}:{token.Column}, found {inner.Describe()}");
                default:
                    throw Error(inner, $"unexpected {inner.Describe()} inside a substitution: expected a path such as ${{a.b}} and '}}'");
            }
        }
    }

    /// <summary>Whitespace as HOCON defines it: Unicode spaces and separators, the byte order mark and ASCII controls 0x1C-0x1F.</summary>
    public static bool IsWhitespace(char c) => c switch
    {
        ' ' or '\t' or '\r' => true,
        '\uFEFF' => true,
        >= '\u001C' and <= '\u001F' => true,
        _ => c > 127 ? char.IsWhiteSpace(c) : c is '\v' or '\f' or '\n',
    };

    // Characters that end unquoted text (and cannot appear in it).
    private static bool IsNotInUnquoted(char c) => c switch
    {
        '$' or '"' or '{' or '}' or '[' or ']' or ':' or '=' or ',' or '+' or '#' or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\' => true,
        _ => false,
    };

    // Characters that are an error where a token starts (the others of IsNotInUnquoted start their own tokens).
    private static bool IsReserved(char c) => c is '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\';
}
