using System.Text;

namespace Pipelines.Configuration.Parsing;

/// <summary>
/// Builds a path from the pieces of a key or substitution: unquoted pieces split at dots, quoted pieces stay whole,
/// and the whitespace between two pieces on one line is part of the element.
/// </summary>
internal sealed class HoconPathBuilder
{
    private readonly List<string> _segments = [];
    private readonly StringBuilder _current = new();
    private bool _currentQuoted;

    public bool IsEmpty => _segments.Count == 0 && _current.Length == 0 && !_currentQuoted;

    public void Clear()
    {
        _segments.Clear();
        _current.Clear();
        _currentQuoted = false;
    }

    public void AddQuoted(string text)
    {
        _current.Append(text);
        _currentQuoted = true;
    }

    /// <summary>Adds unquoted text; returns false when it creates an empty element (e.g. <c>a..b</c> or a leading dot).</summary>
    public bool AddUnquoted(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var dot = text.IndexOf('.');
            if (dot < 0)
            {
                _current.Append(text);
                return true;
            }

            _current.Append(text[..dot]);
            if (!FinishElement())
            {
                return false;
            }

            text = text[(dot + 1)..];
        }
    }

    /// <summary>Returns the path, or null when the last element is empty (a trailing dot).</summary>
    public HoconPath? Build()
    {
        if (!FinishElement())
        {
            return null;
        }

        var path = new HoconPath([.. _segments]);
        Clear();
        return path;
    }

    private bool FinishElement()
    {
        if (_current.Length == 0 && !_currentQuoted)
        {
            return false;
        }

        _segments.Add(_current.ToString());
        _current.Clear();
        _currentQuoted = false;
        return true;
    }
}
