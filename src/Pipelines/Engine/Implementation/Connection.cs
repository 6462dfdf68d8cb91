using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// One edge between two stages of the same island: its demand/element state and the typed element slot
/// (<see cref="Connection{T}"/>). Owned by the island's interpreter; only touched from inside the island.
/// </summary>
internal abstract class Connection
{
    // State flags. A connection holds at most one pending Pull or Push event plus one terminal event.
    public const int PullPending = 1;          // downstream pulled; OnPull not yet delivered
    public const int OutAvailable = 2;         // OnPull delivered; upstream may push once
    public const int PushPending = 4;          // upstream pushed; OnPush not yet delivered
    public const int ElementAvailable = 8;     // OnPush delivered; the element waits to be grabbed
    public const int InClosed = 16;            // closed for the downstream stage (it cancelled, or completion was delivered)
    public const int OutClosed = 32;           // closed for the upstream stage (it completed/failed, or cancellation was delivered)
    public const int UpstreamTerminated = 64;  // upstream completed or failed (event may still be pending)
    public const int DownstreamCancelled = 128; // downstream cancelled (event may still be pending)
    public const int Pulled = PullPending | OutAvailable | PushPending;

    public int State;
    public int Index;
    public GraphInterpreter Interpreter = null!;
    public GraphStageLogic InOwner = null!;   // the downstream stage (owns the inlet)
    public GraphStageLogic OutOwner = null!;  // the upstream stage (owns the outlet)
    public Inlet Inlet = null!;
    public Outlet Outlet = null!;
    public IInHandler InHandler = null!;
    public IOutHandler OutHandler = null!;

    // Bound once per handler change so the hot loop calls a delegate instead of an interface method.
    public Action OnPush = null!;
    public Action OnPull = null!;

    public Exception? Failure;
    public Exception? CancelCause;

    // The upstream logic when it can answer pulls synchronously (see ISyncProducer); null otherwise.
    public object? SyncProducer;

    public void SetInHandler(IInHandler handler)
    {
        InHandler = handler;
        OnPush = handler.OnPush;
    }

    public void SetOutHandler(IOutHandler handler)
    {
        OutHandler = handler;
        OnPull = handler.OnPull;
    }

    /// <summary>Enables synchronous pull-through when the upstream logic supports it for this connection.</summary>
    public abstract void DetectSyncProducer();

    /// <summary>Delivers a pull synchronously if upstream supports it; <see langword="false"/> when it must be queued.</summary>
    public abstract bool PullThrough();

    public abstract void ClearElement();

    public override string ToString() => $"{OutOwner}.{Outlet} -> {InOwner}.{Inlet}";
}
