using System.Diagnostics.CodeAnalysis;

namespace Pipelines.Engine;

/// <summary>
/// A value that may be absent, for operators whose functions answer "nothing" as a normal result (e.g. <c>Recover</c>);
/// unlike <see langword="null"/> it works the same for value and reference types. A value converts to it implicitly.
/// </summary>
/// <typeparam name="T">The type of the value.</typeparam>
public readonly struct Option<T> : IEquatable<Option<T>>
{
    private readonly T _value;

    private Option(T value)
    {
        _value = value;
        HasValue = true;
    }

    /// <summary>The absent value (also <c>default</c>).</summary>
    public static Option<T> None => default;

    /// <summary>Whether a value is present.</summary>
    public bool HasValue { get; }

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">No value is present.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The option has no value; check HasValue or use TryGetValue.");

    /// <summary>Wraps <paramref name="value"/> (which may itself be <see langword="null"/>: a present null is still present).</summary>
    public static implicit operator Option<T>(T value) => new(value);

    /// <summary>Whether both are absent, or both are present with equal values.</summary>
    public static bool operator ==(Option<T> left, Option<T> right) => left.Equals(right);

    /// <summary>Whether the options differ.</summary>
    public static bool operator !=(Option<T> left, Option<T> right) => !left.Equals(right);

    /// <summary>Creates an option holding <paramref name="value"/>.</summary>
    public static Option<T> Some(T value) => new(value);

    /// <summary>Gets the value when present.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return HasValue;
    }

    /// <inheritdoc />
    public bool Equals(Option<T> other) =>
        HasValue == other.HasValue && (!HasValue || EqualityComparer<T>.Default.Equals(_value, other._value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Option<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HasValue ? HashCode.Combine(true, _value) : 0;

    /// <inheritdoc />
    public override string ToString() => HasValue ? $"Some({_value})" : "None";
}
