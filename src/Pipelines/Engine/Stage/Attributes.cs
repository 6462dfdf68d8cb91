namespace Pipelines.Engine.Stage;

/// <summary>
/// Immutable settings attached to a graph (name, buffer sizes, supervision, async boundary). Attributes set on a
/// composite graph apply to every stage inside it, but are less specific than attributes set on an inner graph.
/// </summary>
public sealed class Attributes
{
    private readonly IAttribute[] _items;

    private Attributes(IAttribute[] items) => _items = items;

    /// <summary>No attributes.</summary>
    public static Attributes None { get; } = new([]);

    /// <summary>The attributes, least specific first.</summary>
    public IReadOnlyList<IAttribute> Items => _items;

    /// <summary>Creates attributes holding <paramref name="attribute"/>.</summary>
    public static Attributes Create(IAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return new([attribute]);
    }

    /// <summary>Names the graph (shown in logs and error messages).</summary>
    public static Attributes Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Create(new NameAttribute(name));
    }

    /// <summary>Sets the buffer sizes of the stage's inputs (async boundaries and buffering stages use the maximum).</summary>
    public static Attributes InputBuffer(int initial, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        return Create(new InputBufferAttribute(initial, max));
    }

    /// <summary>Sets the supervision decider consulted when user code run by a stage throws.</summary>
    public static Attributes Supervision(Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        return Create(new SupervisionAttribute(decider));
    }

    /// <summary>Marks the graph as an island of its own, connected to its neighbours through async boundaries.</summary>
    public static Attributes AsyncBoundary { get; } = Create(AsyncBoundaryAttribute.Instance);

    /// <summary>Returns these attributes followed by <paramref name="other"/>, which are more specific.</summary>
    public Attributes And(Attributes other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._items.Length == 0)
        {
            return this;
        }

        if (_items.Length == 0)
        {
            return other;
        }

        return new([.. _items, .. other._items]);
    }

    /// <summary>Returns these attributes followed by <paramref name="attribute"/>, which is more specific.</summary>
    public Attributes And(IAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return new([.. _items, attribute]);
    }

    /// <summary>Returns the most specific attribute of type <typeparamref name="T"/>, or <see langword="null"/>.</summary>
    public T? Get<T>()
        where T : class, IAttribute
    {
        for (var i = _items.Length - 1; i >= 0; i--)
        {
            if (_items[i] is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Returns the most specific attribute of type <typeparamref name="T"/>, or <paramref name="defaultValue"/>.</summary>
    public T Get<T>(T defaultValue)
        where T : class, IAttribute => Get<T>() ?? defaultValue;

    /// <summary>Whether an attribute of type <typeparamref name="T"/> is present.</summary>
    public bool Contains<T>()
        where T : class, IAttribute => Get<T>() is not null;

    /// <summary>The most specific name, or <paramref name="defaultName"/>.</summary>
    public string NameOrDefault(string defaultName = "unnamed") => Get<NameAttribute>()?.Value ?? defaultName;

    /// <summary>Returns these attributes without any attribute of type <typeparamref name="T"/>.</summary>
    public Attributes Without<T>()
        where T : class, IAttribute =>
        Contains<T>() ? new([.. _items.Where(a => a is not T)]) : this;

    /// <inheritdoc />
    public override string ToString() => $"Attributes({string.Join(", ", _items.Select(a => a.ToString()))})";

    /// <summary>The graph's name.</summary>
    /// <param name="Value">The name.</param>
    public sealed record NameAttribute(string Value) : IAttribute;

    /// <summary>Input buffer sizes.</summary>
    /// <param name="Initial">The initial buffer size.</param>
    /// <param name="Max">The maximum buffer size; async boundaries and buffering stages use it.</param>
    public sealed record InputBufferAttribute(int Initial, int Max) : IAttribute;

    /// <summary>The supervision decider.</summary>
    /// <param name="Decider">Maps a failure of user code to a <see cref="Directive"/>.</param>
    public sealed record SupervisionAttribute(Func<Exception, Directive> Decider) : IAttribute;

    /// <summary>Marks an island boundary; applies to the graph it is set on, not inherited by inner stages.</summary>
    public sealed record AsyncBoundaryAttribute : IAttribute
    {
        private AsyncBoundaryAttribute()
        {
        }

        /// <summary>The single instance.</summary>
        public static AsyncBoundaryAttribute Instance { get; } = new();
    }
}
