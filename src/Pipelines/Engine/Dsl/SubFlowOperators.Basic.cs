using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class SubFlow<TOut, TMat, TClosed>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Select{TNext}(Func{TOut,TNext})"/>
    public SubFlow<TNext, TMat, TClosed> Select<TNext>(Func<TOut, TNext> selector) => Via(new SelectStage<TOut, TNext>(selector));
}
