using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class SubFlow<TOut, TMat, TClosed>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Recover(Func{Exception,Option{TOut}})"/>
    public SubFlow<TOut, TMat, TClosed> Recover(Func<Exception, Option<TOut>> recover) => Via(new RecoverStage<TOut>(recover));

    /// <inheritdoc cref="Source{TOut,TMat}.RecoverWithRetries{TMat2}(int,Func{Exception,IGraph{SourceShape{TOut},TMat2}})"/>
    public SubFlow<TOut, TMat, TClosed> RecoverWithRetries<TMat2>(int attempts, Func<Exception, IGraph<SourceShape<TOut>, TMat2>?> recover) =>
        Via(new RecoverWithRetriesStage<TOut, TMat2>(attempts, recover));
}
