namespace Pipelines.Delay;

/// <summary>
/// Which dead letters to list or replay: every condition set must hold; an empty filter matches every dead letter.
/// Change a copy with <c>with { … }</c>.
/// </summary>
public sealed record DeadLetterFilter
{
    /// <summary>A filter that matches every dead letter.</summary>
    public static DeadLetterFilter All { get; } = new();

    /// <summary>Only dead letters with this key (compared byte for byte).</summary>
    /// <value>Defaults to <see langword="null"/>: any key.</value>
    public byte[]? Key { get; init; }

    /// <summary>Only dead letters whose last exception has this full type name (<see cref="FailureInfo.ExceptionType"/>).</summary>
    /// <value>Defaults to <see langword="null"/>: any exception.</value>
    public string? ExceptionType { get; init; }

    /// <summary>Only dead letters first consumed from this topic (<see cref="FailureInfo.OriginalTopic"/>).</summary>
    /// <value>Defaults to <see langword="null"/>: any topic.</value>
    public string? OriginalTopic { get; init; }

    /// <summary>Only dead letters whose last failure (<see cref="FailureInfo.LastFailure"/>) is at or after this time.</summary>
    /// <value>Defaults to <see langword="null"/>: no lower bound.</value>
    public DateTimeOffset? FailedFrom { get; init; }

    /// <summary>Only dead letters whose last failure is before this time.</summary>
    /// <value>Defaults to <see langword="null"/>: no upper bound.</value>
    public DateTimeOffset? FailedBefore { get; init; }

    /// <summary>Any further condition.</summary>
    /// <value>Defaults to <see langword="null"/>: none.</value>
    public Func<DeadLetter, bool>? Where { get; init; }

    /// <summary>Whether <paramref name="letter"/> meets every condition set.</summary>
    public bool Matches(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var failure = letter.Failure;
        return (Key is null || (letter.Key is { } key && key.AsSpan().SequenceEqual(Key)))
            && (ExceptionType is null || string.Equals(failure.ExceptionType, ExceptionType, StringComparison.Ordinal))
            && (OriginalTopic is null || string.Equals(failure.OriginalTopic, OriginalTopic, StringComparison.Ordinal))
            && (FailedFrom is not { } from || failure.LastFailure >= from)
            && (FailedBefore is not { } before || failure.LastFailure < before)
            && (Where is null || Where(letter));
    }
}
