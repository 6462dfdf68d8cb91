namespace Pipelines.Engine.Implementation;

/// <summary>
/// A synchronous producer that can answer a run of pulls at once (a source over an enumerator, a run of mappers, the
/// consumer end of a boundary): the puller asks for up to a span of elements and gets them in one call, so the
/// per-connection cost is paid once per batch instead of once per element.
/// </summary>
/// <typeparam name="T">The element type of the outlet.</typeparam>
internal interface ISyncBatchProducer<T> : ISyncProducer<T>
{
    /// <summary>
    /// Handles as many consecutive pulls as <paramref name="destination"/> holds, exactly as repeated
    /// <see cref="ISyncProducer{T}.TryPullSync"/> calls would: writes the elements it can produce at once and returns
    /// their count. When the count is below the span's length, the next pull counts as delivered (the producer waits for
    /// its own upstream, or completed or failed). It must not throw once it produced an element: a later failure is
    /// handled by the producer itself (e.g. failing the stage), so it reaches downstream after the elements.
    /// </summary>
    int TryPullSyncBatch(Span<T> destination);
}
