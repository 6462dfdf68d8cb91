using System.Runtime.CompilerServices;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Parsing;

/// <summary>
/// Recursive-descent parser for one HOCON document: builds the unresolved value tree (substitutions stay as
/// nodes until the whole configuration is resolved), merging duplicate keys and included files as it goes.
/// </summary>
internal sealed class HoconParser
{
    /// <summary>The deepest nesting of objects, arrays and path-expression keys accepted.</summary>
    public const int MaxDepth = 200;

    private readonly HoconTokenizer _tokens;
    private readonly HoconIncluder _includer;
    private readonly string? _file;
    private readonly string[] _prefix;
    private readonly HoconPathBuilder _keyBuilder = new();
    private int _depth;

    private HoconParser(string text, string origin, string? file, HoconIncluder includer, string[] prefix, int depth)
    {
        _tokens = new HoconTokenizer(text, origin);
        _includer = includer;
        _file = file;
        _prefix = prefix;
        _depth = depth;
    }

    /// <summary>True when the document (or a file it included) contains a substitution, so it needs resolving.</summary>
    public bool HasSubstitutions { get; private set; }

    /// <summary>Parses a whole document: an object with or without braces.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="origin">The name errors and values report (a file path or <c>string</c>).</param>
    /// <param name="file">The file the text came from (includes are relative to its folder), or null.</param>
    /// <param name="includer">Finds and parses included files.</param>
    /// <param name="prefix">The path of the object this document is included into (empty for a root document).</param>
    /// <param name="depth">The nesting depth at which the document starts.</param>
    /// <param name="hasSubstitutions">True when the result needs resolving.</param>
    public static HoconObject Parse(string text, string origin, string? file, HoconIncluder includer, string[] prefix, int depth, out bool hasSubstitutions)
    {
        var parser = new HoconParser(text, origin, file, includer, prefix, depth);
        var root = parser.ParseRoot();
        hasSubstitutions = parser.HasSubstitutions;
        return root;
    }

    private HoconObject ParseRoot()
    {
        var first = NextSkippingNewlines();
        if (first.Kind == HoconTokenKind.OpenBrace)
        {
            var root = ParseObject(first, []);
            var end = NextSkippingNewlines();
            if (end.Kind != HoconTokenKind.End)
            {
                throw _tokens.Error(end, $"expected end of input after the '}}' that closes the root object, found {end.Describe()}");
            }

            return root;
        }

        if (first.Kind == HoconTokenKind.OpenBracket)
        {
            throw _tokens.Error(first, "the root of a configuration must be an object, found an array");
        }

        return ParseObject(null, [], first);
    }

    private HoconToken NextSkippingNewlines()
    {
        while (true)
        {
            var token = _tokens.Next();
            if (token.Kind != HoconTokenKind.Newline)
            {
                return token;
            }
        }
    }

    private void Enter(in HoconToken token)
    {
        if (++_depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw _tokens.Error(token, $"objects and arrays are nested more than {MaxDepth} levels deep");
        }
    }

    /// <summary>Parses the fields of an object up to its closing brace (or the end of input for a root without braces).</summary>
    /// <param name="open">The opening brace, or null for a root object without braces.</param>
    /// <param name="path">The path of this object inside the document (for <c>+=</c> and includes).</param>
    /// <param name="firstToken">The first token of a root without braces, already read.</param>
    private HoconObject ParseObject(HoconToken? open, string[] path, HoconToken? firstToken = null)
    {
        var start = open ?? firstToken!.Value;
        Enter(start);
        var result = new HoconObject(_tokens.PositionOf(start));
        var token = firstToken ?? NextSkippingNewlines();
        while (true)
        {
            if (token.Kind == HoconTokenKind.CloseBrace)
            {
                if (open is null)
                {
                    throw _tokens.Error(token, "unexpected '}': there is no open object to close");
                }

                break;
            }

            if (token.Kind == HoconTokenKind.End)
            {
                if (open is { } o)
                {
                    throw _tokens.Error(token, $"expected '}}' to close the object opened at {o.Line}:{o.Column}, found end of input");
                }

                break;
            }

            string what;
            if (token.Kind == HoconTokenKind.UnquotedText && token.Text == "include")
            {
                ParseInclude(result, token, path);
                what = "the include";
            }
            else
            {
                what = "the value of " + ParseField(result, token, path);
            }

            var separator = _tokens.Next();
            if (separator.Kind == HoconTokenKind.Comma)
            {
                token = NextSkippingNewlines();
                continue;
            }

            if (separator.Kind == HoconTokenKind.Newline)
            {
                // A comma may still follow on a later line: newlines and one comma are one separator.
                token = NextSkippingNewlines();
                if (token.Kind == HoconTokenKind.Comma)
                {
                    token = NextSkippingNewlines();
                }

                continue;
            }

            if (separator.Kind is HoconTokenKind.CloseBrace or HoconTokenKind.End)
            {
                token = separator;
                continue;
            }

            var expected = open is null ? "',' or a new line" : "',', a new line or '}'";
            var hint = separator.Kind is HoconTokenKind.Colon or HoconTokenKind.Equals
                ? "; put a value that contains ':' or '=' (such as a URL) in quotes"
                : string.Empty;
            throw _tokens.Error(separator, $"expected {expected} after {what}, found {separator.Describe()}{hint}");
        }

        _depth--;
        return result;
    }

    /// <summary>Parses <c>key = value</c>, <c>key : value</c>, <c>key { … }</c> or <c>key += value</c> into <paramref name="target"/>.</summary>
    /// <returns>The key as written, for error messages about what follows.</returns>
    private string ParseField(HoconObject target, in HoconToken first, string[] objectPath)
    {
        var key = ParseKey(first);
        if (_depth + key.Length > MaxDepth)
        {
            throw _tokens.Error(first, $"the key {DescribeKey(key)} nests objects more than {MaxDepth} levels deep");
        }

        var fullPath = Concat(objectPath, key.Segments);
        var separator = NextSkippingNewlines();
        HoconValue value;
        switch (separator.Kind)
        {
            case HoconTokenKind.OpenBrace:
                value = ParseObject(separator, fullPath);
                break;
            case HoconTokenKind.Equals:
            case HoconTokenKind.Colon:
                value = ParseValue(NextSkippingNewlines(), fullPath, separator);
                break;
            case HoconTokenKind.PlusEquals:
            {
                // a += b means a = ${?a} [b]: the earlier value of a (if any) with b appended.
                var element = ParseValue(NextSkippingNewlines(), fullPath, separator);
                var position = _tokens.PositionOf(separator);
                var self = new HoconSubstitution(new HoconPath(fullPath).Prepend(_prefix), optional: true, _prefix.Length, position);
                HasSubstitutions = true;
                value = new HoconConcatenation([self, new HoconArray([element], element.Position)], position, IsSecret(fullPath));
                break;
            }

            default:
                // The token may be the secret itself, written on the next line without a separator.
                var found = separator.IsSimpleValue && IsSecret(fullPath) ? SecretKeys.Redacted : separator.Describe();
                throw _tokens.Error(separator, $"expected ':', '=', '+=' or '{{' after the key {DescribeKey(key)}, found {found}");
        }

        SetPath(target, key.Segments, value);
        return DescribeKey(key);
    }

    /// <summary>
    /// The key, quoted, for error messages. A key that runs on into more text on its line (<c>sasl.password hunter2</c>,
    /// a forgotten '=') may hold a secret: when its part before the first space is a secret key, the rest is redacted.
    /// </summary>
    private static string DescribeKey(HoconPath key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            var space = IndexOfWhitespace(key[i]);
            if (space < 0)
            {
                continue;
            }

            string[] head = [.. key.Segments[..i], key[i][..space]];
            if (SecretKeys.IsSecret(string.Join('.', head)))
            {
                return $"'{HoconPath.Render(head)}' followed by {SecretKeys.Redacted}";
            }

            break;
        }

        return $"'{key.Render()}'";
    }

    private static int IndexOfWhitespace(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsSecret(string[] path) => SecretKeys.IsSecret(string.Join('.', path));

    private HoconPath ParseKey(in HoconToken first)
    {
        if (first.Kind == HoconTokenKind.Substitution)
        {
            throw _tokens.Error(first, "substitutions are not allowed in keys");
        }

        if (!first.IsSimpleValue)
        {
            throw _tokens.Error(first, $"expected a key, found {first.Describe()}");
        }

        _keyBuilder.Clear();
        var token = first;
        while (true)
        {
            var ok = true;
            if (token.Kind == HoconTokenKind.QuotedString)
            {
                _keyBuilder.AddQuoted(token.Text!);
            }
            else
            {
                ok = _keyBuilder.AddUnquoted(token.Text);
            }

            if (!ok)
            {
                throw _tokens.Error(token, "the key has an empty element (two dots in a row, or a leading dot); quote the key if the dot belongs to it");
            }

            var next = _tokens.Peek();
            if (next.Kind == HoconTokenKind.Substitution)
            {
                throw _tokens.Error(next, "substitutions are not allowed in keys");
            }

            if (!next.IsSimpleValue)
            {
                break;
            }

            token = _tokens.Next();
            if (token.HasWhitespaceBefore)
            {
                _keyBuilder.AddUnquoted(_tokens.WhitespaceBefore(token));
            }
        }

        return _keyBuilder.Build() ?? throw _tokens.Error(token, "the key ends with '.': expected a path element after the dot");
    }

    /// <summary>Parses a value: one token, object or array, or a concatenation of them on one line.</summary>
    private HoconValue ParseValue(in HoconToken first, string[] path, in HoconToken after)
    {
        if (!first.StartsValue)
        {
            throw _tokens.Error(first, $"expected a value after {after.Describe()}, found {first.Describe()}");
        }

        var token = first;
        HoconValue? single = null;
        List<HoconValue>? pieces = null;
        var previousSimple = false;
        var unresolved = false;
        while (true)
        {
            var simple = token.IsSimpleValue;
            if (simple && previousSimple && token.HasWhitespaceBefore)
            {
                // Whitespace between two simple values is part of the concatenation.
                Add(HoconString.Whitespace(_tokens.WhitespaceBefore(token), _tokens.PositionOf(token)));
            }

            var piece = ParseSingle(token, path);
            unresolved |= piece.IsUnresolved;
            Add(piece);
            previousSimple = simple;
            if (!_tokens.Peek().StartsValue)
            {
                break;
            }

            token = _tokens.Next();
        }

        if (pieces is null)
        {
            return single!;
        }

        // Only a concatenation needs to know whether it is a secret: joining it can fail with a message quoting its pieces.
        if (unresolved)
        {
            return new HoconConcatenation([.. pieces], pieces[0].Position, IsSecret(path));
        }

        return HoconJoin.Join(pieces, isSecret: IsSecret(path))!;

        void Add(HoconValue value)
        {
            if (single is null && pieces is null)
            {
                single = value;
            }
            else
            {
                pieces ??= [single!];
                pieces.Add(value);
            }
        }
    }

    private HoconValue ParseSingle(in HoconToken token, string[] path)
    {
        var position = _tokens.PositionOf(token);
        switch (token.Kind)
        {
            case HoconTokenKind.QuotedString:
            case HoconTokenKind.UnquotedText:
                return new HoconString(token.Text!, position);
            case HoconTokenKind.Number:
                return token.IsInteger
                    ? new HoconNumber(token.Text!, token.Integer, position)
                    : new HoconNumber(token.Text!, token.Double, position);
            case HoconTokenKind.Boolean:
                return new HoconBoolean(token.Boolean, position);
            case HoconTokenKind.Null:
                return new HoconNull(position);
            case HoconTokenKind.Substitution:
                HasSubstitutions = true;
                return new HoconSubstitution(token.Path!.Prepend(_prefix), token.Optional, _prefix.Length, position);
            case HoconTokenKind.OpenBrace:
                return ParseObject(token, path);
            case HoconTokenKind.OpenBracket:
                return ParseArray(token, path);
            default:
                throw _tokens.Error(token, $"expected a value, found {token.Describe()}");
        }
    }

    private HoconArray ParseArray(in HoconToken open, string[] path)
    {
        Enter(open);
        var items = new List<HoconValue>();
        var token = NextSkippingNewlines();
        while (true)
        {
            if (token.Kind == HoconTokenKind.CloseBracket)
            {
                break;
            }

            if (token.Kind == HoconTokenKind.End)
            {
                throw _tokens.Error(token, $"expected ']' to close the array opened at {open.Line}:{open.Column}, found end of input");
            }

            if (!token.StartsValue)
            {
                throw _tokens.Error(token, $"expected a value, or ']' to close the array opened at {open.Line}:{open.Column}, found {token.Describe()}");
            }

            items.Add(ParseValue(token, path, open));
            var separator = _tokens.Next();
            if (separator.Kind == HoconTokenKind.Comma)
            {
                token = NextSkippingNewlines();
                continue;
            }

            if (separator.Kind == HoconTokenKind.Newline)
            {
                token = NextSkippingNewlines();
                if (token.Kind == HoconTokenKind.Comma)
                {
                    token = NextSkippingNewlines();
                }

                continue;
            }

            if (separator.Kind == HoconTokenKind.CloseBracket)
            {
                break;
            }

            if (separator.Kind == HoconTokenKind.End)
            {
                throw _tokens.Error(separator, $"expected ']' to close the array opened at {open.Line}:{open.Column}, found end of input");
            }

            throw _tokens.Error(separator, $"expected ',', a new line or ']' after an array element, found {separator.Describe()}");
        }

        _depth--;
        return new HoconArray([.. items], _tokens.PositionOf(open));
    }

    private void ParseInclude(HoconObject target, in HoconToken keyword, string[] objectPath)
    {
        var spec = _tokens.ReadIncludeSpec(keyword);
        var included = _includer.Include(spec, _file, Concat(_prefix, objectPath), _depth, out var hasSubstitutions);
        if (included is null)
        {
            return;
        }

        HasSubstitutions |= hasSubstitutions;
        foreach (var (key, value) in included.Fields)
        {
            HoconMerge.PutWhileParsing(target, key, value);
        }
    }

    private void SetPath(HoconObject target, string[] segments, HoconValue value)
    {
        for (var i = segments.Length - 1; i > 0; i--)
        {
            value = HoconObject.Single(segments[i], value, value.Position);
        }

        HoconMerge.PutWhileParsing(target, segments[0], value);
    }

    private static string[] Concat(string[] left, string[] right)
    {
        if (left.Length == 0)
        {
            return right;
        }

        return [.. left, .. right];
    }
}
