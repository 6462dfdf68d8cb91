using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The Partition fan-out junction (routing), for graphs built with <see cref="GraphDsl"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// Generic (<c>Partition&lt;T&gt;.Create(...)</c>) so that it never clashes with <c>Confluent.Kafka.Partition</c> in code that
/// imports both namespaces, as Kafka graphs do.
/// </remarks>
public static class Partition<T>
{
    /// <summary>
    /// A junction routing each element to the output whose index <paramref name="partitioner"/> returns.
    /// <para>Emits when: the chosen output has pulled. Back-pressures when: the chosen output back-pressures (upstream
    /// is pulled only while some output has demand). Completes when: upstream completes and the last element was
    /// emitted. Cancels when: all outputs cancelled, or the first one when <paramref name="eagerCancel"/> is set (an
    /// output cancelled by a failure then fails the others with it); an element routed to an output that cancelled
    /// earlier is dropped.</para>
    /// <para>An index outside 0 to <paramref name="outputCount"/> - 1 fails the stage with
    /// <see cref="PartitionOutOfBoundsException"/>. Supervision: Resume and Restart drop the element the partitioner
    /// threw on.</para>
    /// </summary>
    public static IGraph<UniformFanOutShape<T, T>, NotUsed> Create(int outputCount, Func<T, int> partitioner, bool eagerCancel = false) =>
        new PartitionStage<T>(outputCount, partitioner, eagerCancel);
}
