namespace Pipelines.Configuration;

/// <summary>
/// A configuration could not be parsed, resolved or read: the message starts with
/// <c>origin:line:column:</c> and says what was expected or found.
/// </summary>
public sealed class HoconException : Exception
{
    /// <summary>Creates an exception for a problem at <paramref name="position"/>.</summary>
    public HoconException(HoconPosition position, string reason)
        : base($"{position}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>Creates an exception for a problem at <paramref name="position"/> caused by <paramref name="inner"/>.</summary>
    public HoconException(HoconPosition position, string reason, Exception inner)
        : base($"{position}: {reason}", inner)
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>Creates an exception without a position (prefer the positioned constructors).</summary>
    public HoconException()
        : this(new HoconPosition("unknown", 0, 0), "configuration error")
    {
    }

    /// <summary>Creates an exception without a position (prefer the positioned constructors).</summary>
    public HoconException(string message)
        : this(new HoconPosition("unknown", 0, 0), message)
    {
    }

    /// <summary>Creates an exception without a position (prefer the positioned constructors).</summary>
    public HoconException(string message, Exception inner)
        : this(new HoconPosition("unknown", 0, 0), message, inner)
    {
    }

    /// <summary>The file (or <c>string</c>) the problem was found in.</summary>
    public string Origin => Position.Origin;

    /// <summary>The 1-based line of the problem, or 0 when it has no text position (e.g. a missing file).</summary>
    public int Line => Position.Line;

    /// <summary>The 1-based column of the problem, or 0 when it has no text position.</summary>
    public int Column => Position.Column;

    /// <summary>The origin, line and column of the problem.</summary>
    public HoconPosition Position { get; }

    /// <summary>What was wrong, without the position prefix.</summary>
    public string Reason { get; }
}
