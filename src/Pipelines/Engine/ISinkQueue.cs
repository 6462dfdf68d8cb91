namespace Pipelines.Engine;

/// <summary>
/// The materialized value of <c>Sink.Queue</c>: code outside the stream pulls the stream's elements one at a time. The
/// stream runs ahead of the consumer by at most the queue's buffer size, then back-pressures.
/// </summary>
/// <typeparam name="T">The type of the elements.</typeparam>
public interface ISinkQueue<T>
{
    /// <summary>
    /// Returns the next element, waiting until one is there, or <see cref="Option{T}.None"/> once the stream completed
    /// and every element was pulled (and after <see cref="Cancel"/>). Concurrent calls each get a different element.
    /// </summary>
    /// <exception cref="Exception">The stream failed: the task faults with the stream's failure.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    ValueTask<Option<T>> PullAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops consuming: upstream is cancelled, buffered elements are discarded and pulls return none.</summary>
    void Cancel();
}
