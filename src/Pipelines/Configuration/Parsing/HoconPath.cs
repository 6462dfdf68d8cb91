using System.Text;

namespace Pipelines.Configuration.Parsing;

/// <summary>A path such as <c>akka.kafka."bootstrap.servers"</c>, held as its elements.</summary>
internal sealed class HoconPath
{
    public HoconPath(string[] segments) => Segments = segments;

    public string[] Segments { get; }

    public int Length => Segments.Length;

    public string this[int index] => Segments[index];

    /// <summary>Parses a path expression as getters accept it (quoted elements may contain dots).</summary>
    /// <exception cref="HoconException">The expression is empty or has an empty element.</exception>
    public static HoconPath Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (IsSimple(expression))
        {
            return new HoconPath(expression.Split('.'));
        }

        return HoconTokenizer.ParsePathExpression(expression);
    }

    public HoconPath Prepend(string[] prefix)
    {
        if (prefix.Length == 0)
        {
            return this;
        }

        var segments = new string[prefix.Length + Segments.Length];
        prefix.CopyTo(segments, 0);
        Segments.CopyTo(segments, prefix.Length);
        return new HoconPath(segments);
    }

    public HoconPath Skip(int count) => count == 0 ? this : new HoconPath(Segments[count..]);

    public HoconPath Append(string segment) => new([.. Segments, segment]);

    /// <summary>Renders the path with elements quoted where needed, so that it parses back to the same elements.</summary>
    public string Render() => Render(Segments);

    public static string Render(IReadOnlyList<string> segments)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            AppendKey(builder, segments[i]);
        }

        return builder.ToString();
    }

    /// <summary>Appends one key, quoted unless it consists only of letters, digits, '_' and '-' (and is not <c>include</c>).</summary>
    public static void AppendKey(StringBuilder builder, string key)
    {
        if (IsBareKey(key))
        {
            builder.Append(key);
        }
        else
        {
            Rendering.HoconRenderer.AppendQuoted(builder, key);
        }
    }

    public override string ToString() => Render();

    private static bool IsBareKey(string key)
    {
        if (key.Length == 0 || key == "include" || key[0] == '-')
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    // Fast path for the common getter argument: dot-separated bare elements.
    private static bool IsSimple(string expression)
    {
        if (expression.Length == 0 || expression[0] == '.' || expression[^1] == '.')
        {
            return false;
        }

        var previousDot = false;
        foreach (var c in expression)
        {
            if (c == '.')
            {
                if (previousDot)
                {
                    return false;
                }

                previousDot = true;
                continue;
            }

            previousDot = false;
            if (!(char.IsAsciiLetter(c) || c == '_' || c == '-' || char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        return true;
    }
}
