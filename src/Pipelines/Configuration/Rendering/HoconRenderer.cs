using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pipelines.Configuration.Parsing;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Rendering;

/// <summary>
/// Writes a value tree as indented HOCON (which parses back to the same tree) or as JSON, optionally with the values
/// of secret keys (<see cref="SecretKeys"/>) replaced by <see cref="SecretKeys.Redacted"/>.
/// </summary>
internal static partial class HoconRenderer
{
    private const int Indent = 2;

    /// <summary>Renders <paramref name="value"/>; a root object renders without its braces in HOCON.</summary>
    /// <param name="value">The value to render.</param>
    /// <param name="json">JSON instead of HOCON.</param>
    /// <param name="root">Render a HOCON object without its braces, as a file's root.</param>
    /// <param name="redactSecrets">
    /// Replace every value (other than null) whose key is secret by the string <see cref="SecretKeys.Redacted"/>; the key stays.
    /// </param>
    /// <param name="path">The path of <paramref name="value"/> in its document (empty for the root): the keys below it are judged with it.</param>
    public static string Render(HoconValue value, bool json, bool root = false, bool redactSecrets = false, string path = "")
    {
        var builder = new StringBuilder();
        var redactAt = redactSecrets ? path : null;
        if (root && !json && value is HoconObject rootObject)
        {
            foreach (var (key, field) in rootObject)
            {
                WriteField(builder, key, field, 0, Child(redactAt, key));
            }
        }
        else
        {
            Write(builder, value, 0, json, redactAt);
            builder.Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="text"/> as a JSON string literal (also a valid HOCON quoted string).</summary>
    public static void AppendQuoted(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ' || c is '\u2028' or '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    // redactAt: the field's path when secrets are redacted, else null.
    private static void WriteField(StringBuilder builder, string key, HoconValue value, int depth, string? redactAt)
    {
        builder.Append(' ', depth * Indent);
        HoconPath.AppendKey(builder, key);

        // A chain of single-field objects renders as one path expression (kafka-clients { enable.auto.commit = false }).
        while (value is HoconObject { Count: 1 } single)
        {
            var (childKey, child) = single.First();
            builder.Append('.');
            HoconPath.AppendKey(builder, childKey);
            value = child;
            redactAt = Child(redactAt, childKey);
        }

        builder.Append(value is HoconObject ? " " : " = ");
        Write(builder, value, depth, json: false, redactAt);
        builder.Append('\n');
    }

    // redactAt: the value's path when secrets are redacted, else null.
    private static void Write(StringBuilder builder, HoconValue value, int depth, bool json, string? redactAt)
    {
        // Objects are never redacted whole: each of their fields is judged by its own key, so that harmless keys
        // under a secret-looking segment (sasl.oauthbearer.token.endpoint.url) stay visible. Anything else at a
        // secret key is the secret (a string, a list of them, a number); null shows that it is not set.
        if (redactAt is not null && value is not (HoconObject or HoconNull) && SecretKeys.IsSecret(redactAt))
        {
            AppendQuoted(builder, SecretKeys.Redacted);
            return;
        }

        switch (value)
        {
            case HoconObject o:
                WriteObject(builder, o, depth, json, redactAt);
                break;
            case HoconArray a:
                WriteArray(builder, a, depth, json, redactAt);
                break;
            case HoconString s:
                AppendQuoted(builder, s.Value);
                break;
            case HoconNumber n:
                builder.Append(json && !JsonNumber().IsMatch(n.Text) ? Normalize(n) : n.Text);
                break;
            case HoconBoolean or HoconNull:
                builder.Append(value.ScalarText);
                break;
            case HoconSubstitution s:
                builder.Append(json ? Quote(s.ToString()) : s.ToString());
                break;
            case HoconConcatenation c:
                for (var i = 0; i < c.Pieces.Length; i++)
                {
                    Write(builder, c.Pieces[i], depth, json, redactAt: null);
                }

                break;
            case HoconDelayedMerge d:
                Write(builder, d.Stack[^1], depth, json, redactAt);
                break;
        }
    }

    private static void WriteObject(StringBuilder builder, HoconObject value, int depth, bool json, string? redactAt)
    {
        if (value.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        builder.Append("{\n");
        var index = 0;
        foreach (var (key, field) in value)
        {
            if (json)
            {
                builder.Append(' ', (depth + 1) * Indent);
                AppendQuoted(builder, key);
                builder.Append(": ");
                Write(builder, field, depth + 1, json, Child(redactAt, key));
                builder.Append(++index < value.Count ? ",\n" : "\n");
            }
            else
            {
                WriteField(builder, key, field, depth + 1, Child(redactAt, key));
            }
        }

        builder.Append(' ', depth * Indent).Append('}');
    }

    private static void WriteArray(StringBuilder builder, HoconArray value, int depth, bool json, string? redactAt)
    {
        if (value.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        var inline = value.All(v => v is not (HoconObject or HoconArray));
        builder.Append(inline ? "[" : "[\n");
        for (var i = 0; i < value.Count; i++)
        {
            if (!inline)
            {
                builder.Append(' ', (depth + 1) * Indent);
            }

            // Objects in a list are judged by their fields' keys below the list's key.
            Write(builder, value[i], depth + 1, json, redactAt);
            if (i + 1 < value.Count)
            {
                builder.Append(inline ? ", " : ",\n");
            }
        }

        if (!inline)
        {
            builder.Append('\n').Append(' ', depth * Indent);
        }

        builder.Append(']');
    }

    private static string? Child(string? path, string key) => path is null ? null : path.Length == 0 ? key : path + "." + key;

    private static string Normalize(HoconNumber number) => number.IsInteger
        ? number.Int64Value.ToString(CultureInfo.InvariantCulture)
        : number.DoubleValue.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text)
    {
        var builder = new StringBuilder();
        AppendQuoted(builder, text);
        return builder.ToString();
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
