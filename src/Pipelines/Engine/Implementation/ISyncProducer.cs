namespace Pipelines.Engine.Implementation;

/// <summary>
/// Implemented by a single-outlet logic that can often answer a pull at once (a source over an enumerator, a run of
/// mappers). When its downstream pulls, the interpreter may call <see cref="TryPullSync"/> instead of queueing the pull:
/// the element goes straight back to the puller, with no events in between. Semantics are those of <c>OnPull</c>.
/// </summary>
/// <typeparam name="T">The element type of the outlet.</typeparam>
internal interface ISyncProducer<T>
{
    /// <summary>
    /// Handles a pull that counts as delivered. Either returns <see langword="true"/> with the element to emit (without
    /// calling <c>Push</c>), or does exactly what <c>OnPull</c> would do short of pushing (complete, fail, pull its own
    /// inlet, wait for a callback) and returns <see langword="false"/>. It must not signal other stages except by
    /// pulling its own inlets. Exceptions are handled as if <c>OnPull</c> had thrown.
    /// </summary>
    bool TryPullSync(out T element);
}
