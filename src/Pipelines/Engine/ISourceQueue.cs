namespace Pipelines.Engine;

/// <summary>Pushes elements into a running stream from outside (the materialized value of <c>Source.Queue</c>).</summary>
/// <typeparam name="T">The element type.</typeparam>
public interface ISourceQueue<T>
{
    /// <summary>
    /// Offers <paramref name="element"/>. With <see cref="OverflowStrategy.Backpressure"/> the returned task completes only when the
    /// element was accepted (so awaiting each offer applies back-pressure to the caller); other strategies answer at once.
    /// </summary>
    /// <param name="element">The element.</param>
    /// <param name="cancellationToken">Cancels a waiting offer; the element is then not enqueued.</param>
    ValueTask<QueueOfferResult> OfferAsync(T element, CancellationToken cancellationToken = default);

    /// <summary>Completes when the stream stops: successfully when it completed or was cancelled, faulted when it failed.</summary>
    Task WatchCompletionAsync();
}
