using System.Collections.Concurrent;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// Decides whether a processing failure is worth retrying. An error is non-retriable when it, or an exception it wraps
/// (inner exceptions, the inner exceptions of an <see cref="AggregateException"/>), is a
/// <see cref="KafkaDeserializationException"/>, a <see cref="KafkaHeaderException"/> (a retry message whose headers are malformed) or has a type — or base type — named in <see cref="RetrySettings.NonRetriableExceptions"/>.
/// </summary>
public sealed class FailureClassifier
{
    // Wrapping deeper than this is a cycle or a bug; the chain is not followed further.
    private const int MaxDepth = 32;

    private readonly HashSet<string> _nonRetriable;
    private readonly ConcurrentDictionary<Type, bool> _byType = new();

    /// <summary>Creates a classifier for the non-retriable exception types named in <paramref name="nonRetriableTypeNames"/> (full type names).</summary>
    public FailureClassifier(IEnumerable<string> nonRetriableTypeNames)
    {
        ArgumentNullException.ThrowIfNull(nonRetriableTypeNames);
        // A record that cannot be read, or whose Pipelines headers are malformed, fails the same way on every attempt.
        _nonRetriable = new HashSet<string>(nonRetriableTypeNames, StringComparer.Ordinal)
        {
            typeof(KafkaDeserializationException).FullName!,
            typeof(KafkaHeaderException).FullName!,
        };
    }

    /// <summary>Creates the classifier of <paramref name="settings"/>.</summary>
    public FailureClassifier(RetrySettings settings)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).NonRetriableExceptions)
    {
    }

    /// <summary>True when <paramref name="error"/> may succeed on another attempt; false when it is non-retriable.</summary>
    public bool IsRetriable(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return FindNonRetriable(error, 0) is null;
    }

    /// <summary>The exception in <paramref name="error"/>'s chain that makes it non-retriable, or <see langword="null"/> when it is retriable.</summary>
    public Exception? FindNonRetriable(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return FindNonRetriable(error, 0);
    }

    private Exception? FindNonRetriable(Exception error, int depth)
    {
        if (IsNonRetriableType(error.GetType()))
        {
            return error;
        }

        if (depth >= MaxDepth)
        {
            return null;
        }

        if (error is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                if (FindNonRetriable(inner, depth + 1) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        return error.InnerException is { } wrapped ? FindNonRetriable(wrapped, depth + 1) : null;
    }

    private bool IsNonRetriableType(Type type) => _byType.GetOrAdd(type, static (t, names) =>
    {
        for (var current = t; current is not null; current = current.BaseType)
        {
            if (current.FullName is { } name && names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }, _nonRetriable);
}
