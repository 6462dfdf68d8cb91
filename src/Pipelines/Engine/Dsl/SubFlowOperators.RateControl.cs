using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class SubFlow<TOut, TMat, TClosed>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Batch{TAgg}(long,Func{TOut,TAgg},Func{TAgg,TOut,TAgg})"/>
    public SubFlow<TAgg, TMat, TClosed> Batch<TAgg>(long max, Func<TOut, TAgg> seed, Func<TAgg, TOut, TAgg> aggregate) =>
        Via(new BatchStage<TOut, TAgg>(max, seed, aggregate));

    /// <inheritdoc cref="Source{TOut,TMat}.Throttle(int,TimeSpan,int,ThrottleMode)"/>
    public SubFlow<TOut, TMat, TClosed> Throttle(int elements, TimeSpan per, int maximumBurst, ThrottleMode mode) =>
        Via(new ThrottleStage<TOut>(elements, per, maximumBurst, static _ => 1, mode));

    /// <inheritdoc cref="Source{TOut,TMat}.Delay(TimeSpan)"/>
    public SubFlow<TOut, TMat, TClosed> Delay(TimeSpan duration) => Via(new DelayStage<TOut>(duration, null, DelayOverflowStrategy.Backpressure));
}
