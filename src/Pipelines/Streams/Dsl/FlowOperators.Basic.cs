using Pipelines.Streams.Stages;

namespace Pipelines.Streams.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Select{TNext}(Func{TOut,TNext})"/>
    public Flow<TIn, TNext, TMat> Select<TNext>(Func<TOut, TNext> selector) => Via(new SelectStage<TOut, TNext>(selector));
}
