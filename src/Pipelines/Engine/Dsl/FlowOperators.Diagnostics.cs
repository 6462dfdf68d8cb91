using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.Log(string,Func{TOut,object},LogLevels)"/>
    public Flow<TIn, TOut, TMat> Log(string name, Func<TOut, object?>? extract = null, LogLevels? levels = null) =>
        Via(new LogStage<TOut>(name, extract, levels));

    /// <inheritdoc cref="Source{TOut,TMat}.OnElement(Action{TOut})"/>
    public Flow<TIn, TOut, TMat> OnElement(Action<TOut> action) => Via(new OnElementStage<TOut>(action));
}
