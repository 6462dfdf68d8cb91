using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.SelectAsync{TNext}(int,Func{TOut,Task{TNext}})"/>
    public Flow<TIn, TNext, TMat> SelectAsync<TNext>(int parallelism, Func<TOut, Task<TNext>> selector) =>
        Via(new SelectAsyncStage<TOut, TNext>(parallelism, selector));

    /// <inheritdoc cref="Source{TOut,TMat}.SelectAsyncUnordered{TNext}(int,Func{TOut,Task{TNext}})"/>
    public Flow<TIn, TNext, TMat> SelectAsyncUnordered<TNext>(int parallelism, Func<TOut, Task<TNext>> selector) =>
        Via(new SelectAsyncUnorderedStage<TOut, TNext>(parallelism, selector));

    /// <inheritdoc cref="Source{TOut,TMat}.SelectAsyncPartitioned{TKey,TNext}(int,Func{TOut,TKey},Func{TOut,Task{TNext}})"/>
    public Flow<TIn, TNext, TMat> SelectAsyncPartitioned<TKey, TNext>(int parallelism, Func<TOut, TKey> partitioner, Func<TOut, Task<TNext>> selector)
        where TKey : notnull =>
        Via(new SelectAsyncPartitionedStage<TOut, TNext, TKey>(parallelism, partitioner, selector));
}
