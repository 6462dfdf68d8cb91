using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Batch{TAgg}(long,Func{TOut,TAgg},Func{TAgg,TOut,TAgg})"/>
    public Flow<TIn, TAgg, TMat> Batch<TAgg>(long max, Func<TOut, TAgg> seed, Func<TAgg, TOut, TAgg> aggregate) =>
        Via(new BatchStage<TOut, TAgg>(max, seed, aggregate));

    /// <inheritdoc cref="Source{TOut,TMat}.Throttle(int,TimeSpan,int,ThrottleMode)"/>
    public Flow<TIn, TOut, TMat> Throttle(int elements, TimeSpan per, int maximumBurst, ThrottleMode mode) =>
        Via(new ThrottleStage<TOut>(elements, per, maximumBurst, static _ => 1, mode));

    /// <inheritdoc cref="Source{TOut,TMat}.Throttle(int,TimeSpan,int,Func{TOut,int},ThrottleMode)"/>
    public Flow<TIn, TOut, TMat> Throttle(int cost, TimeSpan per, int maximumBurst, Func<TOut, int> costCalculation, ThrottleMode mode) =>
        Via(new ThrottleStage<TOut>(cost, per, maximumBurst, costCalculation, mode));

    /// <inheritdoc cref="Source{TOut,TMat}.Delay(TimeSpan)"/>
    public Flow<TIn, TOut, TMat> Delay(TimeSpan duration) => Via(new DelayStage<TOut>(duration, null, DelayOverflowStrategy.Backpressure));

    /// <inheritdoc cref="Source{TOut,TMat}.Delay(TimeSpan,int,DelayOverflowStrategy)"/>
    public Flow<TIn, TOut, TMat> Delay(TimeSpan duration, int bufferSize, DelayOverflowStrategy overflowStrategy) =>
        Via(new DelayStage<TOut>(duration, bufferSize, overflowStrategy));
}
