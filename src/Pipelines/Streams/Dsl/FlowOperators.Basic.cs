using Pipelines.Streams.Stages;

namespace Pipelines.Streams.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Select{TNext}(Func{TOut,TNext})"/>
    public Flow<TIn, TNext, TMat> Select<TNext>(Func<TOut, TNext> selector) => Via(new SelectStage<TOut, TNext>(selector));

    /// <inheritdoc cref="Source{TOut,TMat}.Where(Func{TOut,bool})"/>
    public Flow<TIn, TOut, TMat> Where(Func<TOut, bool> predicate) => Via(new WhereStage<TOut>(predicate));

    /// <inheritdoc cref="Source{TOut,TMat}.Collect{TNext}(Func{TOut,bool},Func{TOut,TNext})"/>
    public Flow<TIn, TNext, TMat> Collect<TNext>(Func<TOut, bool> isDefined, Func<TOut, TNext> selector) => Via(new CollectStage<TOut, TNext>(isDefined, selector));
}
