using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>The flows behind the fan-in/fan-out shortcuts of sources and flows (Merge, Concat, Zip, AlsoTo).</summary>
internal static class FanInOutFlows
{
    public static IGraph<FlowShape<T, T>, TMat> MergeWith<T, TMat>(IGraph<SourceShape<T>, TMat> other, bool eagerComplete) =>
        GraphDsl.Create(other, (b, source) =>
        {
            var merge = b.Add(new MergeStage<T>(2, eagerComplete));
            b.Connect(source.Outlet, merge.In[1]);
            return new FlowShape<T, T>(merge.In[0], merge.Out);
        });

    public static IGraph<FlowShape<T, T>, TMat> ConcatWith<T, TMat>(IGraph<SourceShape<T>, TMat> other) =>
        GraphDsl.Create(other, (b, source) =>
        {
            var concat = b.Add(new ConcatStage<T>(2));
            b.Connect(source.Outlet, concat.In[1]);
            return new FlowShape<T, T>(concat.In[0], concat.Out);
        });

    public static IGraph<FlowShape<T0, TOut>, TMat> ZipWith<T0, T1, TOut, TMat>(IGraph<SourceShape<T1>, TMat> other, Func<T0, T1, TOut> zipper)
    {
        ArgumentNullException.ThrowIfNull(zipper);
        return GraphDsl.Create(other, (b, source) =>
        {
            var zip = b.Add(new ZipWithStage<T0, T1, TOut>(zipper));
            b.Connect(source.Outlet, zip.In1);
            return new FlowShape<T0, TOut>(zip.In0, zip.Out);
        });
    }

    public static IGraph<FlowShape<T, T>, TMat> AlsoTo<T, TMat>(IGraph<SinkShape<T>, TMat> sink) =>
        GraphDsl.Create(sink, (b, side) =>
        {
            // eagerCancel: the side sink finishing stops the main path too, and its failure fails the main path, so neither is silently cut off.
            var broadcast = b.Add(new BroadcastStage<T>(2, eagerCancel: true));
            b.Connect(broadcast.Out[1], side.Inlet);
            return new FlowShape<T, T>(broadcast.In, broadcast.Out[0]);
        });
}
