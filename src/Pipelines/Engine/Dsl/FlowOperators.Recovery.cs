using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Recover(Func{Exception,Option{TOut}})"/>
    public Flow<TIn, TOut, TMat> Recover(Func<Exception, Option<TOut>> recover) => Via(new RecoverStage<TOut>(recover));

    /// <inheritdoc cref="Source{TOut,TMat}.RecoverWithRetries{TMat2}(int,Func{Exception,IGraph{SourceShape{TOut},TMat2}})"/>
    public Flow<TIn, TOut, TMat> RecoverWithRetries<TMat2>(int attempts, Func<Exception, IGraph<SourceShape<TOut>, TMat2>?> recover) =>
        Via(new RecoverWithRetriesStage<TOut, TMat2>(attempts, recover));
}
