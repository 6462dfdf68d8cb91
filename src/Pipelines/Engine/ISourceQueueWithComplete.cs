namespace Pipelines.Engine;

/// <summary>A <see cref="ISourceQueue{T}"/> that can also be completed or failed from outside.</summary>
/// <typeparam name="T">The element type.</typeparam>
public interface ISourceQueueWithComplete<T> : ISourceQueue<T>
{
    /// <summary>Completes the stream once the buffered elements are emitted; later and waiting offers get <see cref="QueueOfferResult.QueueClosed"/>.</summary>
    void Complete();

    /// <summary>Fails the stream with <paramref name="cause"/> at once; later and waiting offers get <see cref="QueueOfferResult.Failure"/>.</summary>
    void Fail(Exception cause);
}
