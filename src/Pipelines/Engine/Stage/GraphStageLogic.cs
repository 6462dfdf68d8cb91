using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>
/// The running state and behaviour of one materialized stage. A logic is an actor: every handler, callback and timer
/// runs inside its island one at a time, so the logic's fields need no locks. It talks to its neighbours only through
/// its ports: <see cref="Pull"/> requests one element, <see cref="Push{T}"/> emits one after downstream pulled,
/// <see cref="Grab{T}"/> takes an element that arrived.
/// </summary>
/// <remarks>
/// The stage stops (and <see cref="PostStop"/> runs) once all of its ports are closed, unless it called
/// <see cref="SetKeepGoing"/>. An exception thrown by a push or pull handler goes to the stage's supervision decider
/// (<see cref="Attributes.Supervision"/>): Stop fails the stage, Resume calls <see cref="OnResume"/>, Restart calls
/// <see cref="OnRestart"/>. Exceptions from other handlers, callbacks and timers fail the stage.
/// </remarks>
public abstract partial class GraphStageLogic
{
    private readonly Connection?[] _inConnections;
    private readonly Connection?[] _outConnections;
    private readonly IInHandler?[] _inHandlers;
    private readonly IOutHandler?[] _outHandlers;

    // Guards joining the island against callbacks invoked from other threads before it (see Post).
    private readonly Lock _attachGate = new();
    private GraphInterpreter? _interpreter;
    private List<MailboxEvent>? _early;

    /// <summary>Creates a logic for a stage with the given shape; set a handler for every port in the constructor.</summary>
    protected GraphStageLogic(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        _inConnections = new Connection?[shape.Inlets.Count];
        _outConnections = new Connection?[shape.Outlets.Count];
        _inHandlers = new IInHandler?[shape.Inlets.Count];
        _outHandlers = new IOutHandler?[shape.Outlets.Count];
        OpenPorts = shape.Inlets.Count + shape.Outlets.Count;
    }

    /// <summary>The ports of the stage this logic runs.</summary>
    public Shape Shape { get; }

    /// <summary>The effective attributes of the stage (its own and those inherited from enclosing graphs).</summary>
    protected internal Attributes Attributes { get; internal set; } = Attributes.None;

    /// <summary>The materializer running the stage; use it to materialize sub-graphs at run time.</summary>
    protected internal Materializer Materializer { get; internal set; } = null!;

    /// <summary>The materializer's logger.</summary>
    protected ILogger Log => Materializer.Settings.Logger;

    /// <summary>The materializer's clock; every time-based stage reads time and creates timers through it.</summary>
    protected TimeProvider TimeProvider => Materializer.Settings.TimeProvider;

    /// <summary>Whether the stage has stopped (its <see cref="PostStop"/> ran).</summary>
    protected internal bool IsStopped { get; internal set; }

    internal GraphInterpreter? Interpreter
    {
        get => _interpreter;
        set
        {
            List<MailboxEvent>? early;
            lock (_attachGate)
            {
                _interpreter = value;
                early = _early;
                _early = null;
            }

            if (value is not null && early is not null)
            {
                foreach (var ev in early)
                {
                    value.Island.Post(ev);
                }
            }
        }
    }

    // Set once PreStart has run: a stage whose PreStart has not run yet must not be pulled synchronously.
    internal bool IsStarted { get; set; }

    internal int OpenPorts { get; set; }

    internal bool KeepGoing { get; private set; }

    /// <summary>The failure passed to the first <see cref="FailStage"/> call, if any (sinks complete their task with it in <see cref="PostStop"/>).</summary>
    protected Exception? StageFailure { get; private set; }

    internal Exception? AbortCause { get; set; }

    internal string StageName { get; set; } = string.Empty;

    /// <summary>Runs once when the stream starts, before any handler; pull here to start the flow of elements.</summary>
    protected internal virtual void PreStart()
    {
    }

    /// <summary>Runs once when the stage has stopped (normally, by failure or by materializer shutdown); release resources here.</summary>
    protected internal virtual void PostStop()
    {
    }

    /// <summary>Handles a failure of user code that the stage's decider resumed: the default stops the stage (the stage does not support resuming).</summary>
    /// <param name="cause">The failure.</param>
    protected virtual void OnResume(Exception cause) => FailStage(cause);

    /// <summary>Handles a failure of user code that the stage's decider restarted: the default resumes.</summary>
    /// <param name="cause">The failure.</param>
    protected virtual void OnRestart(Exception cause) => OnResume(cause);

    /// <summary>
    /// Supervises the failure of an asynchronous call of user code (a faulted or cancelled task): when the decider says
    /// Stop, fails the stage and returns <see langword="false"/>; otherwise logs that the element is dropped and returns
    /// <see langword="true"/>.
    /// </summary>
    /// <param name="task">The completed task that did not succeed.</param>
    internal bool ResumeAfterFailedCall(Task task)
    {
        var failure = Stages.TaskCallbacks.FailureOf(task);
        if (Decide(failure) == Directive.Stop)
        {
            FailStage(failure);
            return false;
        }

        Log.LogDebug(failure, "{Stage} dropped an element whose call failed", this);
        return true;
    }

    /// <summary>Asks the stage's supervision decider what to do about <paramref name="cause"/> (Stop when none is set).</summary>
    protected Directive Decide(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        var decider = Attributes.Get<Attributes.SupervisionAttribute>()?.Decider;
        if (decider is null)
        {
            return Directive.Stop;
        }

        try
        {
            return decider(cause);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "The supervision decider of {Stage} threw; stopping the stage", this);
            return Directive.Stop;
        }
    }

    /// <summary>Sets the handler of <paramref name="inlet"/>.</summary>
    protected void SetHandler(Inlet inlet, IInHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var id = OwnId(inlet);
        _inHandlers[id] = handler;
        _inConnections[id]?.SetInHandler(handler);
    }

    /// <summary>Sets the handler of <paramref name="outlet"/>.</summary>
    protected void SetHandler(Outlet outlet, IOutHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var id = OwnId(outlet);
        _outHandlers[id] = handler;
        _outConnections[id]?.SetOutHandler(handler);
    }

    /// <summary>Sets the handler of <paramref name="inlet"/> from delegates; the defaults complete or fail the stage.</summary>
    protected void SetHandler(Inlet inlet, Action onPush, Action? onUpstreamFinish = null, Action<Exception>? onUpstreamFailure = null) =>
        SetHandler(inlet, new DelegateInHandler(this, onPush, onUpstreamFinish, onUpstreamFailure));

    /// <summary>Sets the handler of <paramref name="outlet"/> from delegates; the default completes the stage on cancellation.</summary>
    protected void SetHandler(Outlet outlet, Action onPull, Action<Exception?>? onDownstreamFinish = null) =>
        SetHandler(outlet, new DelegateOutHandler(this, onPull, onDownstreamFinish));

    /// <summary>Sets one object as the handler of both ports.</summary>
    protected void SetHandlers<THandler>(Inlet inlet, Outlet outlet, THandler handler)
        where THandler : IInHandler, IOutHandler
    {
        SetHandler(inlet, handler);
        SetHandler(outlet, handler);
    }

    /// <summary>The current handler of <paramref name="inlet"/>.</summary>
    protected IInHandler GetHandler(Inlet inlet) =>
        _inHandlers[OwnId(inlet)] ?? throw new InvalidOperationException($"No handler set for {inlet} of {this}.");

    /// <summary>The current handler of <paramref name="outlet"/>.</summary>
    protected IOutHandler GetHandler(Outlet outlet) =>
        _outHandlers[OwnId(outlet)] ?? throw new InvalidOperationException($"No handler set for {outlet} of {this}.");

    /// <summary>Requests one element from upstream; it arrives through <see cref="IInHandler.OnPush"/>.</summary>
    /// <exception cref="InvalidOperationException">The port is closed or already pulled.</exception>
    protected internal void Pull(Inlet inlet)
    {
        var c = _inConnections[inlet.Id]!;
        var s = c.State;
        if ((s & (Connection.Pulled | Connection.InClosed | Connection.UpstreamTerminated)) == 0)
        {
            if (c.SyncProducer is not null && c.PullThrough())
            {
                return;
            }

            c.State = (s & ~Connection.ElementAvailable) | Connection.PullPending;
            c.Interpreter.EnqueuePull(c);
            return;
        }

        PullUnusual(inlet, s);
    }

    /// <summary>
    /// Pulls <paramref name="inlet"/> and, when upstream can answer at once, returns its element directly (as if it had
    /// been pushed and grabbed). Otherwise the pull is outstanding and the element or termination arrives as usual.
    /// Synchronous sinks loop on this to consume without a round trip through the event queue per element.
    /// </summary>
    internal bool PullSync<T>(Inlet<T> inlet, out T element)
    {
        var c = (Connection<T>)_inConnections[inlet.Id]!;
        var s = c.State;
        if ((s & (Connection.Pulled | Connection.InClosed | Connection.UpstreamTerminated)) == 0 && c.SyncProducer is not null)
        {
            return c.PullDirect(out element);
        }

        element = default!;
        Pull(inlet);
        return false;
    }

    /// <summary>
    /// Pulls <paramref name="inlet"/> up to <paramref name="destination"/>'s length of times in a row while upstream
    /// answers synchronously, and returns how many elements arrived directly. When fewer than the span holds, a pull is
    /// outstanding (its element or termination arrives as usual) or upstream terminated. Synchronous consumers use it to
    /// move elements in batches, paying the per-connection cost once per batch.
    /// </summary>
    internal int PullSyncBatch<T>(Inlet<T> inlet, Span<T> destination)
    {
        var c = (Connection<T>)_inConnections[inlet.Id]!;
        var s = c.State;
        if ((s & (Connection.Pulled | Connection.InClosed | Connection.UpstreamTerminated)) == 0 && c.SyncProducer is not null)
        {
            return c.PullDirectBatch(destination);
        }

        Pull(inlet);
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PullUnusual(Inlet inlet, int s)
    {
        if ((s & Connection.InClosed) != 0)
        {
            throw new InvalidOperationException($"Cannot pull closed port {inlet} of {this}.");
        }

        if ((s & Connection.Pulled) != 0)
        {
            throw new InvalidOperationException($"Cannot pull port {inlet} of {this} twice.");
        }

        // Upstream already terminated and its completion is on the way: there is nothing left to request.
    }

    /// <summary>Pulls <paramref name="inlet"/> unless it is closed or already pulled.</summary>
    protected internal void TryPull(Inlet inlet)
    {
        var s = _inConnections[inlet.Id]!.State;
        if ((s & (Connection.Pulled | Connection.InClosed | Connection.UpstreamTerminated)) == 0)
        {
            Pull(inlet);
        }
    }

    /// <summary>Takes the element that arrived at <paramref name="inlet"/>.</summary>
    /// <exception cref="InvalidOperationException">No element is available.</exception>
    protected internal T Grab<T>(Inlet<T> inlet)
    {
        var c = (Connection<T>)_inConnections[inlet.Id]!;
        if ((c.State & Connection.ElementAvailable) == 0)
        {
            ThrowNothingToGrab(inlet);
        }

        c.State &= ~Connection.ElementAvailable;
        var element = c.Element;
        c.ClearElement();
        return element;
    }

    /// <summary>Emits <paramref name="element"/> to downstream, which must have pulled (see <see cref="IsAvailable(Outlet)"/>).</summary>
    /// <exception cref="InvalidOperationException">The port is closed or was not pulled.</exception>
    protected internal void Push<T>(Outlet<T> outlet, T element)
    {
        var c = (Connection<T>)_outConnections[outlet.Id]!;
        var s = c.State;
        if ((s & (Connection.OutAvailable | Connection.OutClosed | Connection.DownstreamCancelled)) == Connection.OutAvailable)
        {
            c.Element = element;
            c.State = (s & ~Connection.OutAvailable) | Connection.PushPending;
            c.Interpreter.EnqueuePush(c);
            return;
        }

        PushUnusual(c, outlet, s);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PushUnusual(Connection c, Outlet outlet, int s)
    {
        if ((s & Connection.OutClosed) != 0)
        {
            throw new InvalidOperationException($"Cannot push closed port {outlet} of {this}.");
        }

        if ((s & Connection.DownstreamCancelled) != 0)
        {
            // Downstream cancelled and its cancellation is on the way: it asked for no more elements.
            c.State = s & ~Connection.OutAvailable;
            return;
        }

        throw new InvalidOperationException($"Cannot push port {outlet} of {this}: downstream has not pulled (or it was pushed twice).");
    }

    /// <summary>Completes <paramref name="outlet"/>; downstream receives the completion after any pushed element.</summary>
    protected internal void Complete(Outlet outlet)
    {
        if (TryDeferCompletion(outlet))
        {
            return;
        }

        var c = _outConnections[outlet.Id]!;
        var s = c.State;
        if ((s & Connection.OutClosed) != 0)
        {
            return;
        }

        c.State = (s | Connection.OutClosed | Connection.UpstreamTerminated) & ~Connection.OutAvailable;
        OpenPorts--;
        if ((s & Connection.InClosed) == 0)
        {
            c.Interpreter.EnqueueComplete(c);
        }
    }

    /// <summary>Fails <paramref name="outlet"/> with <paramref name="cause"/>.</summary>
    protected internal void Fail(Outlet outlet, Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        AbandonEmitting(outlet);
        var c = _outConnections[outlet.Id]!;
        var s = c.State;
        if ((s & Connection.OutClosed) != 0)
        {
            return;
        }

        c.State = (s | Connection.OutClosed | Connection.UpstreamTerminated) & ~Connection.OutAvailable;
        OpenPorts--;
        if ((s & Connection.InClosed) == 0)
        {
            c.Failure = cause;
            c.Interpreter.EnqueueFail(c);
        }
    }

    /// <summary>Cancels <paramref name="inlet"/>: upstream is told that no more elements are needed.</summary>
    /// <param name="inlet">The port to cancel.</param>
    /// <param name="cause"><see langword="null"/> for a normal cancellation, otherwise the failure that caused it.</param>
    protected internal void Cancel(Inlet inlet, Exception? cause = null)
    {
        var c = _inConnections[inlet.Id]!;
        var s = c.State;
        if ((s & Connection.InClosed) != 0)
        {
            return;
        }

        c.State = (s | Connection.InClosed | Connection.DownstreamCancelled) & ~Connection.ElementAvailable;
        c.ClearElement();
        OpenPorts--;
        if ((s & Connection.OutClosed) == 0)
        {
            c.CancelCause = cause;
            c.Interpreter.EnqueueCancel(c);
        }
    }

    /// <summary>Whether an element has arrived at <paramref name="inlet"/> and was not grabbed yet.</summary>
    protected internal bool IsAvailable(Inlet inlet) => (_inConnections[inlet.Id]!.State & Connection.ElementAvailable) != 0;

    /// <summary>Whether downstream has pulled <paramref name="outlet"/>, so it may be pushed once.</summary>
    protected internal bool IsAvailable(Outlet outlet) =>
        (_outConnections[outlet.Id]!.State & (Connection.OutAvailable | Connection.OutClosed)) == Connection.OutAvailable;

    /// <summary>Whether <paramref name="inlet"/> was pulled and its element has not arrived yet.</summary>
    protected internal bool HasBeenPulled(Inlet inlet)
    {
        var s = _inConnections[inlet.Id]!.State;
        return (s & Connection.Pulled) != 0 && (s & Connection.InClosed) == 0;
    }

    /// <summary>Whether <paramref name="inlet"/> is closed (upstream terminated and it was delivered, or this stage cancelled).</summary>
    protected internal bool IsClosed(Inlet inlet) => (_inConnections[inlet.Id]!.State & Connection.InClosed) != 0;

    /// <summary>Whether <paramref name="outlet"/> is closed (this stage completed it, or downstream's cancellation was delivered).</summary>
    protected internal bool IsClosed(Outlet outlet) => (_outConnections[outlet.Id]!.State & Connection.OutClosed) != 0;

    /// <summary>Completes every outlet and cancels every inlet; the stage then stops.</summary>
    protected internal void CompleteStage()
    {
        foreach (var outlet in Shape.Outlets)
        {
            Complete(outlet);
        }

        foreach (var inlet in Shape.Inlets)
        {
            Cancel(inlet);
        }

        KeepGoing = false;
    }

    /// <summary>Fails every outlet with <paramref name="cause"/> and cancels every inlet; the stage then stops.</summary>
    protected internal void FailStage(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        StageFailure ??= cause;
        foreach (var outlet in Shape.Outlets)
        {
            Fail(outlet, cause);
        }

        foreach (var inlet in Shape.Inlets)
        {
            Cancel(inlet, cause);
        }

        KeepGoing = false;
    }

    /// <summary>Cancels every inlet with <paramref name="cause"/> and completes every outlet (the reaction to downstream cancellation).</summary>
    protected void CancelStage(Exception? cause)
    {
        foreach (var inlet in Shape.Inlets)
        {
            Cancel(inlet, cause);
        }

        foreach (var outlet in Shape.Outlets)
        {
            Complete(outlet);
        }

        KeepGoing = false;
    }

    /// <summary>Keeps the stage running after all of its ports closed (e.g. to finish asynchronous work); call <see cref="CompleteStage"/> when done.</summary>
    protected void SetKeepGoing(bool enabled) => KeepGoing = enabled;

    /// <summary>Creates a thread-safe callback that runs <paramref name="handler"/> inside this stage's island.</summary>
    protected StageCallback<T> GetAsyncCallback<T>(Action<T> handler) => new(this, handler);

    /// <summary>Creates a thread-safe callback that runs <paramref name="handler"/> inside this stage's island.</summary>
    protected StageCallback GetAsyncCallback(Action handler) => new(this, handler);

    /// <inheritdoc />
    public override string ToString() => StageName.Length > 0 ? StageName : GetType().Name;

    internal void Post(MailboxEvent ev)
    {
        var interpreter = Volatile.Read(ref _interpreter);
        if (interpreter is null)
        {
            lock (_attachGate)
            {
                interpreter = _interpreter;
                if (interpreter is null)
                {
                    // Invoked between the materialized value being handed out and the stage joining its island (a
                    // substream materializes its island after its values exist): delivered once it joins, after PreStart.
                    (_early ??= []).Add(ev);
                    return;
                }
            }
        }

        interpreter.Island.Post(ev);
    }

    internal void HandleSupervisedFailure(Exception cause)
    {
        switch (Decide(cause))
        {
            case Directive.Resume:
                Log.LogDebug(cause, "{Stage} dropped an element after a failure (Resume)", this);
                OnResume(cause);
                break;
            case Directive.Restart:
                Log.LogDebug(cause, "{Stage} dropped an element and reset its state after a failure (Restart)", this);
                OnRestart(cause);
                break;
            default:
                FailStage(cause);
                break;
        }
    }

    internal void Wire(Inlet inlet, Connection connection)
    {
        var id = OwnId(inlet);
        if (_inConnections[id] is not null)
        {
            throw new InvalidOperationException($"Port {inlet} of {this} is connected twice.");
        }

        var handler = _inHandlers[id] ?? throw new InvalidOperationException($"No handler set for {inlet} of {this}; set one in the logic's constructor.");
        connection.InOwner = this;
        connection.Inlet = inlet;
        connection.SetInHandler(handler);
        _inConnections[id] = connection;
    }

    internal void Wire(Outlet outlet, Connection connection)
    {
        var id = OwnId(outlet);
        if (_outConnections[id] is not null)
        {
            throw new InvalidOperationException($"Port {outlet} of {this} is connected twice.");
        }

        var handler = _outHandlers[id] ?? throw new InvalidOperationException($"No handler set for {outlet} of {this}; set one in the logic's constructor.");
        connection.OutOwner = this;
        connection.Outlet = outlet;
        connection.SetOutHandler(handler);
        _outConnections[id] = connection;
    }

    internal IEnumerable<string> UnconnectedPorts()
    {
        for (var i = 0; i < _inConnections.Length; i++)
        {
            if (_inConnections[i] is null)
            {
                yield return Shape.Inlets[i].Name;
            }
        }

        for (var i = 0; i < _outConnections.Length; i++)
        {
            if (_outConnections[i] is null)
            {
                yield return Shape.Outlets[i].Name;
            }
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNothingToGrab(Inlet inlet) =>
        throw new InvalidOperationException($"Cannot grab from port {inlet} of {this}: no element is available.");

    private int OwnId(Inlet inlet)
    {
        ArgumentNullException.ThrowIfNull(inlet);
        var id = inlet.Id;
        if ((uint)id >= (uint)_inHandlers.Length || !ReferenceEquals(Shape.Inlets[id], inlet))
        {
            throw new ArgumentException($"{inlet} is not an inlet of {this}.", nameof(inlet));
        }

        return id;
    }

    private int OwnId(Outlet outlet)
    {
        ArgumentNullException.ThrowIfNull(outlet);
        var id = outlet.Id;
        if ((uint)id >= (uint)_outHandlers.Length || !ReferenceEquals(Shape.Outlets[id], outlet))
        {
            throw new ArgumentException($"{outlet} is not an outlet of {this}.", nameof(outlet));
        }

        return id;
    }

    private sealed class DelegateInHandler(GraphStageLogic logic, Action onPush, Action? onFinish, Action<Exception>? onFailure) : IInHandler
    {
        public void OnPush() => onPush();

        public void OnUpstreamFinish()
        {
            if (onFinish is null)
            {
                logic.CompleteStage();
            }
            else
            {
                onFinish();
            }
        }

        public void OnUpstreamFailure(Exception cause)
        {
            if (onFailure is null)
            {
                logic.FailStage(cause);
            }
            else
            {
                onFailure(cause);
            }
        }
    }

    private sealed class DelegateOutHandler(GraphStageLogic logic, Action onPull, Action<Exception?>? onFinish) : IOutHandler
    {
        public void OnPull() => onPull();

        public void OnDownstreamFinish(Exception? cause)
        {
            if (onFinish is null)
            {
                logic.CancelStage(cause);
            }
            else
            {
                onFinish(cause);
            }
        }
    }
}
