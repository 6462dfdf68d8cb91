using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class SubFlow<TOut, TMat, TClosed>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Log(string,Func{TOut,object},LogLevels)"/>
    public SubFlow<TOut, TMat, TClosed> Log(string name, Func<TOut, object?>? extract = null, LogLevels? levels = null) =>
        Via(new LogStage<TOut>(name, extract, levels));

    /// <inheritdoc cref="Source{TOut,TMat}.OnElement(Action{TOut})"/>
    public SubFlow<TOut, TMat, TClosed> OnElement(Action<TOut> action) => Via(new OnElementStage<TOut>(action));
}
