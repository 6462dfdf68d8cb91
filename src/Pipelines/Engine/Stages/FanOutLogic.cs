using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// The termination rules shared by the fan-out stages (Broadcast, Partition): upstream failure fails every output,
/// upstream completion completes the stage unless the subclass holds elements back, and the stage cancels upstream when
/// all outputs cancelled, or at the first cancellation when <c>eagerCancel</c> is set (then an output cancelled by a
/// failure fails the other outputs with it). How elements are routed is the subclass's.
/// </summary>
internal abstract class FanOutLogic<T> : GraphStageLogic, IInHandler
{
    private readonly bool _eagerCancel;
    private int _runningDownstreams;

    protected FanOutLogic(UniformFanOutShape<T, T> shape, bool eagerCancel)
        : base(shape)
    {
        _eagerCancel = eagerCancel;
        In = shape.In;
        SetHandler(In, this);
        Out = shape.Out;
        _runningDownstreams = Out.Count;
        for (var i = 0; i < Out.Count; i++)
        {
            var index = i;
            SetHandler(Out[i], onPull: () => OnPull(index), onDownstreamFinish: cause => OnDownstreamFinish(index, cause));
        }
    }

    protected Inlet<T> In { get; }

    protected IReadOnlyList<Outlet<T>> Out { get; }

    public abstract void OnPush();

    public virtual void OnUpstreamFinish() => CompleteStage();

    public void OnUpstreamFailure(Exception cause) => FailStage(cause);

    /// <summary>Output <paramref name="index"/> asks for an element.</summary>
    protected abstract void OnPull(int index);

    /// <summary>Output <paramref name="index"/> cancelled while others keep running: the stage stops waiting for it.</summary>
    protected abstract void OnOutputCancelled(int index);

    private void OnDownstreamFinish(int index, Exception? cause)
    {
        _runningDownstreams--;
        if (_eagerCancel && cause is not null)
        {
            // The output failed (e.g. AlsoTo's side sink threw): the other outputs learn why instead of just completing.
            FailStage(cause);
            return;
        }

        if (_eagerCancel || _runningDownstreams == 0)
        {
            CancelStage(cause);
            return;
        }

        OnOutputCancelled(index);
    }
}
