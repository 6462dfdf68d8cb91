using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// Lets a stage consume a graph it materializes at run time (the recovery source of RecoverWithRetries, the wrapped
/// source of RestartSource): the graph runs to <see cref="Sink"/> in islands of its own, and the owning stage pulls and
/// grabs its elements through this object as if it were an inlet. One element is in flight at a time, handed over in a
/// shared slot; the signals travel as pre-allocated mailbox events, so nothing is allocated per element.
/// </summary>
/// <remarks>
/// Every member except the sink's own logic is used from the owning stage's island only. The slot is written by the
/// sub-graph's island before it posts the push event and read by the owner after that event ran, so the mailbox orders
/// the two. Signals that arrive after the owner cancelled (or after a newer incarnation replaced this one) are ignored.
/// </remarks>
/// <typeparam name="T">The type of the consumed elements.</typeparam>
internal sealed class SubSinkInlet<T>
{
    private readonly string _name;
    private readonly IInHandler _handler;
    private readonly StageCallback _pushed;
    private readonly StageCallback _completed;
    private readonly StageCallback<Exception> _failed;
    private SubSinkLogic? _sub;
    private T _slot = default!;
    private bool _materialized;
    private bool _pulled;
    private bool _available;
    private bool _closed;

    /// <summary>Creates the inlet for <paramref name="owner"/>; <paramref name="handler"/> receives the sub-graph's signals in the owner's island.</summary>
    public SubSinkInlet(GraphStageLogic owner, string name, IInHandler handler)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(handler);
        _name = name;
        _handler = handler;
        _pushed = new StageCallback(owner, OnPushed);
        _completed = new StageCallback(owner, OnCompleted);
        _failed = new StageCallback<Exception>(owner, OnFailed);
        Sink = Dsl.Sink.FromGraph(new SubSinkStage(this));
    }

    /// <summary>The sink to connect the sub-graph to; materialize it once, with the owner's materializer.</summary>
    public Sink<T, NotUsed> Sink { get; }

    /// <summary>Whether an element arrived and was not grabbed yet.</summary>
    public bool IsAvailable => _available;

    /// <summary>Whether an element was requested and has not arrived yet.</summary>
    public bool HasBeenPulled => _pulled && !_closed;

    /// <summary>Whether the sub-graph terminated (its completion or failure was delivered) or the owner cancelled it.</summary>
    public bool IsClosed => _closed;

    /// <summary>Requests one element; it arrives through the handler's <see cref="IInHandler.OnPush"/>.</summary>
    public void Pull()
    {
        if (_closed)
        {
            throw new InvalidOperationException($"Cannot pull closed {_name}.");
        }

        if (_pulled)
        {
            throw new InvalidOperationException($"Cannot pull {_name} twice.");
        }

        _pulled = true;
        _available = false;
        Sub.RequestOne.Invoke();
    }

    /// <summary>Takes the element that arrived.</summary>
    public T Grab()
    {
        if (!_available)
        {
            throw new InvalidOperationException($"Cannot grab from {_name}: no element is available.");
        }

        _available = false;
        var element = _slot;
        _slot = default!;
        return element;
    }

    /// <summary>Tells the sub-graph that no more elements are needed; its later signals are ignored.</summary>
    public void Cancel(Exception? cause = null)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _available = false;
        _slot = default!;
        _sub?.CancelFromOwner.Invoke(cause);
    }

    private SubSinkLogic Sub => _sub ?? throw new InvalidOperationException($"{_name} is not materialized yet; run a graph into its Sink first.");

    private void OnPushed()
    {
        if (_closed)
        {
            return;
        }

        _pulled = false;
        _available = true;
        _handler.OnPush();
    }

    private void OnCompleted()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _handler.OnUpstreamFinish();
    }

    private void OnFailed(Exception cause)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _handler.OnUpstreamFailure(cause);
    }

    private sealed class SubSinkStage(SubSinkInlet<T> owner) : GraphStage<SinkShape<T>>
    {
        public override SinkShape<T> Shape { get; } = new(new Inlet<T>(owner._name + ".in"));

        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
        {
            if (owner._materialized)
            {
                throw new InvalidOperationException($"The sink of {owner._name} can be materialized only once.");
            }

            // Materialization runs on the owner's thread, so the owner sees the logic as soon as Materialize returns.
            owner._materialized = true;
            var logic = new SubSinkLogic(owner, Shape.Inlet);
            owner._sub = logic;
            return logic;
        }
    }

    private sealed class SubSinkLogic : InGraphStageLogic
    {
        private readonly SubSinkInlet<T> _owner;
        private readonly Inlet<T> _in;
        private bool _terminated;

        public SubSinkLogic(SubSinkInlet<T> owner, Inlet<T> inlet)
            : base(new SinkShape<T>(inlet))
        {
            _owner = owner;
            _in = inlet;
            SetHandler(_in, this);
            RequestOne = GetAsyncCallback(() =>
            {
                if (!IsClosed(_in) && !HasBeenPulled(_in))
                {
                    Pull(_in);
                }
            });
            CancelFromOwner = GetAsyncCallback<Exception?>(cause =>
            {
                _terminated = true;
                Cancel(_in, cause);
            });
        }

        public StageCallback RequestOne { get; }

        public StageCallback<Exception?> CancelFromOwner { get; }

        public override void OnPush()
        {
            _owner._slot = Grab(_in);
            _owner._pushed.Invoke();
        }

        public override void OnUpstreamFinish()
        {
            _terminated = true;
            _owner._completed.Invoke();
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            _terminated = true;
            _owner._failed.Invoke(cause);
            CompleteStage();
        }

        protected internal override void PostStop()
        {
            if (!_terminated)
            {
                // Stopped from outside (materializer shutdown): the owner must not wait for this graph forever.
                _owner._failed.Invoke(AbortCause ?? new AbruptStageTerminationException($"{_owner._name} stopped before its graph completed."));
            }
        }
    }
}
