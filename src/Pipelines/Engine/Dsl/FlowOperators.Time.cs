using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.GroupedWithin(int,TimeSpan)"/>
    public Flow<TIn, IReadOnlyList<TOut>, TMat> GroupedWithin(int size, TimeSpan interval) => Via(new GroupedWithinStage<TOut>(size, interval));

    /// <inheritdoc cref="Source{TOut,TMat}.DelayUntil(Func{TOut,DateTimeOffset})"/>
    public Flow<TIn, TOut, TMat> DelayUntil(Func<TOut, DateTimeOffset> dueTime) => Via(new DelayUntilStage<TOut>(dueTime));
}
