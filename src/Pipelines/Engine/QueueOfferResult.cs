namespace Pipelines.Engine;

/// <summary>The outcome of <see cref="ISourceQueue{T}.OfferAsync"/>.</summary>
public abstract class QueueOfferResult
{
    private protected QueueOfferResult()
    {
    }

    /// <summary>The element was accepted and will be emitted (unless the stream is cancelled or fails first).</summary>
    public static QueueOfferResult Enqueued { get; } = new Simple("Enqueued");

    /// <summary>The element was dropped by the queue's overflow strategy.</summary>
    public static QueueOfferResult Dropped { get; } = new Simple("Dropped");

    /// <summary>The queue was completed or the stream was cancelled: the element was not accepted.</summary>
    public static QueueOfferResult QueueClosed { get; } = new Simple("QueueClosed");

    /// <summary>The stream failed: the element was not accepted.</summary>
    public sealed class Failure(Exception cause) : QueueOfferResult
    {
        /// <summary>Why the stream failed.</summary>
        public Exception Cause { get; } = cause ?? throw new ArgumentNullException(nameof(cause));

        /// <inheritdoc />
        public override string ToString() => $"Failure({Cause.GetType().Name}: {Cause.Message})";
    }

    private sealed class Simple(string name) : QueueOfferResult
    {
        public override string ToString() => name;
    }
}
