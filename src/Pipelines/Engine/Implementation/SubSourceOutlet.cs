using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// Lets a stage feed a graph it materializes at run time (the wrapped flow of RestartFlow): the graph starts at
/// <see cref="Source"/> and runs in islands of its own, and the owning stage pushes elements into it through this
/// object as if it were an outlet. One element is in flight at a time, handed over in a shared slot; the signals travel
/// as pre-allocated mailbox events, so nothing is allocated per element.
/// </summary>
/// <remarks>
/// Every member except the source's own logic is used from the owning stage's island only. Signals that arrive after
/// the owner closed this outlet (or after a newer incarnation replaced it) are ignored.
/// </remarks>
/// <typeparam name="T">The type of the emitted elements.</typeparam>
internal sealed class SubSourceOutlet<T>
{
    private readonly string _name;
    private readonly IOutHandler _handler;
    private readonly StageCallback _pulled;
    private readonly StageCallback<Exception?> _cancelled;
    private SubSourceLogic? _sub;
    private T _slot = default!;
    private bool _materialized;
    private bool _available;
    private bool _closed;

    /// <summary>Creates the outlet for <paramref name="owner"/>; <paramref name="handler"/> receives the sub-graph's demand and cancellation in the owner's island.</summary>
    public SubSourceOutlet(GraphStageLogic owner, string name, IOutHandler handler)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(handler);
        _name = name;
        _handler = handler;
        _pulled = new StageCallback(owner, OnPulled);
        _cancelled = new StageCallback<Exception?>(owner, OnCancelled);
        Source = Dsl.Source.FromGraph(new SubSourceStage(this));
    }

    /// <summary>The source the sub-graph starts with; materialize it once, with the owner's materializer.</summary>
    public Source<T, NotUsed> Source { get; }

    /// <summary>Whether the sub-graph pulled, so one element may be pushed.</summary>
    public bool IsAvailable => _available && !_closed;

    /// <summary>Whether this outlet was completed or failed by the owner, or cancelled by the sub-graph.</summary>
    public bool IsClosed => _closed;

    /// <summary>Sends <paramref name="element"/> into the sub-graph, which must have pulled.</summary>
    public void Push(T element)
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException(_closed ? $"Cannot push closed {_name}." : $"Cannot push {_name}: the graph has not pulled.");
        }

        _available = false;
        _slot = element;
        Sub.Deliver.Invoke();
    }

    /// <summary>Completes the sub-graph's input (after the element pushed last).</summary>
    public void Complete()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _available = false;
        _sub?.CompleteFromOwner.Invoke();
    }

    /// <summary>Fails the sub-graph's input with <paramref name="cause"/>.</summary>
    public void Fail(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        if (_closed)
        {
            return;
        }

        _closed = true;
        _available = false;
        _sub?.FailFromOwner.Invoke(cause);
    }

    private SubSourceLogic Sub => _sub ?? throw new InvalidOperationException($"{_name} is not materialized yet; run a graph from its Source first.");

    private void OnPulled()
    {
        if (_closed)
        {
            return;
        }

        _available = true;
        _handler.OnPull();
    }

    private void OnCancelled(Exception? cause)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _available = false;
        _handler.OnDownstreamFinish(cause);
    }

    private sealed class SubSourceStage(SubSourceOutlet<T> owner) : GraphStage<SourceShape<T>>
    {
        public override SourceShape<T> Shape { get; } = new(new Outlet<T>(owner._name + ".out"));

        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
        {
            if (owner._materialized)
            {
                throw new InvalidOperationException($"The source of {owner._name} can be materialized only once.");
            }

            // Materialization runs on the owner's thread, so the owner sees the logic as soon as Materialize returns.
            owner._materialized = true;
            var logic = new SubSourceLogic(owner, Shape.Outlet);
            owner._sub = logic;
            return logic;
        }
    }

    private sealed class SubSourceLogic : OutGraphStageLogic
    {
        private readonly SubSourceOutlet<T> _owner;
        private readonly Outlet<T> _out;
        private bool _terminated;

        public SubSourceLogic(SubSourceOutlet<T> owner, Outlet<T> outlet)
            : base(new SourceShape<T>(outlet))
        {
            _owner = owner;
            _out = outlet;
            SetHandler(_out, this);
            Deliver = GetAsyncCallback(() =>
            {
                var element = _owner._slot;
                _owner._slot = default!;
                Push(_out, element);
            });
            CompleteFromOwner = GetAsyncCallback(() =>
            {
                _terminated = true;
                CompleteStage();
            });
            FailFromOwner = GetAsyncCallback<Exception>(cause =>
            {
                _terminated = true;
                FailStage(cause);
            });
        }

        public StageCallback Deliver { get; }

        public StageCallback CompleteFromOwner { get; }

        public StageCallback<Exception> FailFromOwner { get; }

        public override void OnPull() => _owner._pulled.Invoke();

        public override void OnDownstreamFinish(Exception? cause)
        {
            _terminated = true;
            _owner._cancelled.Invoke(cause);
            CompleteStage();
        }

        protected internal override void PostStop()
        {
            if (!_terminated)
            {
                // Stopped from outside (materializer shutdown): the owner must not wait for this graph forever.
                _owner._cancelled.Invoke(AbortCause ?? new AbruptStageTerminationException($"{_owner._name} stopped before its graph completed."));
            }
        }
    }
}
