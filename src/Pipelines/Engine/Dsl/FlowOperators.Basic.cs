using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Select{TNext}(Func{TOut,TNext})"/>
    public Flow<TIn, TNext, TMat> Select<TNext>(Func<TOut, TNext> selector) => Via(new SelectStage<TOut, TNext>(selector));

    /// <inheritdoc cref="Source{TOut,TMat}.Where(Func{TOut,bool})"/>
    public Flow<TIn, TOut, TMat> Where(Func<TOut, bool> predicate) => Via(new WhereStage<TOut>(predicate));

    /// <inheritdoc cref="Source{TOut,TMat}.Collect{TNext}(Func{TOut,bool},Func{TOut,TNext})"/>
    public Flow<TIn, TNext, TMat> Collect<TNext>(Func<TOut, bool> isDefined, Func<TOut, TNext> selector) => Via(new CollectStage<TOut, TNext>(isDefined, selector));

    /// <inheritdoc cref="Source{TOut,TMat}.SelectMany{TNext}(Func{TOut,IEnumerable{TNext}})"/>
    public Flow<TIn, TNext, TMat> SelectMany<TNext>(Func<TOut, IEnumerable<TNext>> selector) => Via(new SelectManyStage<TOut, TNext>(selector));

    /// <inheritdoc cref="Source{TOut,TMat}.Scan{TAcc}(TAcc,Func{TAcc,TOut,TAcc})"/>
    public Flow<TIn, TAcc, TMat> Scan<TAcc>(TAcc zero, Func<TAcc, TOut, TAcc> aggregate) => Via(new ScanStage<TOut, TAcc>(zero, aggregate));

    /// <inheritdoc cref="Source{TOut,TMat}.Aggregate{TAcc}(TAcc,Func{TAcc,TOut,TAcc})"/>
    public Flow<TIn, TAcc, TMat> Aggregate<TAcc>(TAcc zero, Func<TAcc, TOut, TAcc> aggregate) => Via(new AggregateStage<TOut, TAcc>(zero, aggregate));

    /// <inheritdoc cref="Source{TOut,TMat}.Take(long)"/>
    public Flow<TIn, TOut, TMat> Take(long count) => Via(new TakeStage<TOut>(count));

    /// <inheritdoc cref="Source{TOut,TMat}.TakeWhile(Func{TOut,bool},bool)"/>
    public Flow<TIn, TOut, TMat> TakeWhile(Func<TOut, bool> predicate, bool inclusive = false) => Via(new TakeWhileStage<TOut>(predicate, inclusive));

    /// <inheritdoc cref="Source{TOut,TMat}.Skip(long)"/>
    public Flow<TIn, TOut, TMat> Skip(long count) => Via(new SkipStage<TOut>(count));

    /// <inheritdoc cref="Source{TOut,TMat}.SkipWhile(Func{TOut,bool})"/>
    public Flow<TIn, TOut, TMat> SkipWhile(Func<TOut, bool> predicate) => Via(new SkipWhileStage<TOut>(predicate));

    /// <inheritdoc cref="Source{TOut,TMat}.Grouped(int)"/>
    public Flow<TIn, IReadOnlyList<TOut>, TMat> Grouped(int size) => Via(new GroupedStage<TOut>(size));

    /// <inheritdoc cref="Source{TOut,TMat}.Buffer(int,OverflowStrategy)"/>
    public Flow<TIn, TOut, TMat> Buffer(int size, OverflowStrategy overflowStrategy) => Via(new BufferStage<TOut>(size, overflowStrategy));

    /// <inheritdoc cref="Source{TOut,TMat}.WatchTermination{TMat2}(Func{TMat,Task,TMat2})"/>
    public Flow<TIn, TOut, TMat2> WatchTermination<TMat2>(Func<TMat, Task, TMat2> combine) => ViaMaterialized(new WatchTerminationStage<TOut>(), combine);
}
