using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Merge{TMat2}(IGraph{SourceShape{TOut},TMat2},bool)"/>
    public Flow<TIn, TOut, TMat> Merge<TMat2>(IGraph<SourceShape<TOut>, TMat2> other, bool eagerComplete = false) =>
        Via(FanInOutFlows.MergeWith(other, eagerComplete));

    /// <inheritdoc cref="Source{TOut,TMat}.Concat{TMat2}(IGraph{SourceShape{TOut},TMat2})"/>
    public Flow<TIn, TOut, TMat> Concat<TMat2>(IGraph<SourceShape<TOut>, TMat2> other) => Via(FanInOutFlows.ConcatWith(other));

    /// <inheritdoc cref="Source{TOut,TMat}.Zip{T2,TMat2}(IGraph{SourceShape{T2},TMat2})"/>
    public Flow<TIn, (TOut First, T2 Second), TMat> Zip<T2, TMat2>(IGraph<SourceShape<T2>, TMat2> other) =>
        Via(FanInOutFlows.ZipWith<TOut, T2, (TOut, T2), TMat2>(other, static (a, b) => (a, b)));

    /// <inheritdoc cref="Source{TOut,TMat}.ZipWith{T2,TNext,TMat2}(IGraph{SourceShape{T2},TMat2},Func{TOut,T2,TNext})"/>
    public Flow<TIn, TNext, TMat> ZipWith<T2, TNext, TMat2>(IGraph<SourceShape<T2>, TMat2> other, Func<TOut, T2, TNext> zipper) =>
        Via(FanInOutFlows.ZipWith(other, zipper));

    /// <inheritdoc cref="Source{TOut,TMat}.AlsoTo{TMat2}(IGraph{SinkShape{TOut},TMat2})"/>
    public Flow<TIn, TOut, TMat> AlsoTo<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => Via(FanInOutFlows.AlsoTo(sink));

    /// <inheritdoc cref="Source{TOut,TMat}.AlsoToMaterialized{TMat2,TMat3}(IGraph{SinkShape{TOut},TMat2},Func{TMat,TMat2,TMat3})"/>
    public Flow<TIn, TOut, TMat3> AlsoToMaterialized<TMat2, TMat3>(IGraph<SinkShape<TOut>, TMat2> sink, Func<TMat, TMat2, TMat3> combine) =>
        ViaMaterialized(FanInOutFlows.AlsoTo(sink), combine);
}
