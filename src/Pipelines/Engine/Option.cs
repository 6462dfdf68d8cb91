namespace Pipelines.Engine;

/// <summary>Factories of <see cref="Option{T}"/> that infer the type from the argument.</summary>
public static class Option
{
    /// <summary>Creates an option holding <paramref name="value"/>.</summary>
    public static Option<T> Some<T>(T value) => Option<T>.Some(value);
}
