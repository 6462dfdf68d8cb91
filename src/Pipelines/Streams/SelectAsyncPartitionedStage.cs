using System.Runtime.InteropServices;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;

namespace Pipelines.Streams;

/// <summary>
/// Calls an async function for each element with at most <c>parallelism</c> calls in flight overall and at most one per
/// key, and emits the results in input order. The stage holds a window of at most 2 × <c>parallelism</c> elements (in
/// flight, waiting for their key, or finished and waiting for an earlier element to be emitted): an element whose key is
/// busy waits there without holding back later elements of other keys, and the window, not the key, bounds memory.
/// </summary>
/// <remarks>
/// <para>
/// Why twice the parallelism: a window of <c>parallelism</c> would let one busy key (its elements waiting one behind the
/// other) or one slow call at the head (the results behind it cannot be emitted yet) take every place and stop every
/// other key; a second <c>parallelism</c> of room keeps the other keys busy through such stretches, and the memory held
/// stays proportional to the parallelism the user chose.
/// </para>
/// <para>
/// The result of a call is turned into the emitted element by <c>combine(element, result)</c>, so the context variants
/// carry their context through the call without an async wrapper (and its allocation) per element.
/// </para>
/// </remarks>
internal sealed class SelectAsyncPartitionedStage<TIn, TKey, TResult, TOut> : GraphStage<FlowShape<TIn, TOut>>
    where TKey : notnull
{
    private readonly int _parallelism;
    private readonly Func<TIn, TKey> _keySelector;
    private readonly Func<TIn, Task<TResult>> _function;
    private readonly Func<TIn, TResult, TOut> _combine;

    public SelectAsyncPartitionedStage(int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TResult>> function, Func<TIn, TResult, TOut> combine)
    {
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "SelectAsyncPartitioned needs a parallelism of at least 1 (calls in flight at once).");
        }

        // The window is 2 × parallelism slots in one array.
        if (parallelism > int.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"SelectAsyncPartitioned supports a parallelism of at most {int.MaxValue / 2}.");
        }

        _parallelism = parallelism;
        _keySelector = keySelector ?? throw new ArgumentNullException(nameof(keySelector));
        _function = function ?? throw new ArgumentNullException(nameof(function));
        _combine = combine ?? throw new ArgumentNullException(nameof(combine));
        Shape = new FlowShape<TIn, TOut>(new Inlet<TIn>("SelectAsyncPartitioned.in"), new Outlet<TOut>("SelectAsyncPartitioned.out"));
    }

    public override FlowShape<TIn, TOut> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("selectAsyncPartitioned");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private enum SlotState
    {
        /// <summary>In the pool.</summary>
        Free,

        /// <summary>An earlier element of the same key has not finished its call.</summary>
        Waiting,

        /// <summary>Its key is free; it starts as soon as fewer than parallelism calls are in flight.</summary>
        Ready,

        /// <summary>Its call is running.</summary>
        InFlight,

        /// <summary>Its result waits to be emitted.</summary>
        Done,

        /// <summary>Its call failed and supervision dropped it; it leaves the window without being emitted.</summary>
        Dropped,
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly SelectAsyncPartitionedStage<TIn, TKey, TResult, TOut> _stage;
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private readonly Decider _decider;
        private readonly Action<Slot> _onCallCompleted;

        // The window in input order: a ring of 2 × parallelism slots; elements leave from the head only.
        private readonly Slot?[] _window;
        private int _head;
        private int _count;

        // Slots are reused, so an element costs no allocation of ours once the pool has grown to the window.
        private readonly Stack<Slot> _pool;

        // For every key with an element in the stage: its latest element. Elements of one key are chained through
        // Slot.NextOfKey, so the chain's first element is the one in flight (or ready) and the others wait behind it.
        private readonly Dictionary<TKey, Slot> _lastOfKey;

        // Elements whose key is free, started earliest first when a place among the parallelism frees up.
        private readonly PriorityQueue<Slot, long> _ready;

        // Calls still running for elements that a Restart dropped: they count against both bounds until they finish.
        private readonly List<Slot> _abandoned = [];

        private int _inFlight;
        private long _sequence;

        public Logic(SelectAsyncPartitionedStage<TIn, TKey, TResult, TOut> stage, Attributes inheritedAttributes)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _decider = inheritedAttributes.GetAttribute<ActorAttributes.SupervisionStrategy>()?.Decider ?? Deciders.StoppingDecider;
            _onCallCompleted = GetAsyncCallback<Slot>(OnCallCompleted);
            var capacity = stage._parallelism * 2;
            _window = new Slot?[capacity];
            _pool = new Stack<Slot>(capacity);
            _lastOfKey = new Dictionary<TKey, Slot>(capacity);
            _ready = new PriorityQueue<Slot, long>(capacity);
            SetHandlers(_in, _out, this);
        }

        public override void PreStart() => Pull(_in);

        public override void OnPush()
        {
            var element = Grab(_in);
            TKey key;
            try
            {
                key = _stage._keySelector(element);
                if (key is null)
                {
                    throw new InvalidOperationException(
                        $"The key selector of SelectAsyncPartitioned returned null for element #{_sequence}; return a non-null key for every element.");
                }
            }
            catch (Exception ex)
            {
                if (Supervise(ex, "its key selector failed", _sequence++))
                {
                    PullIfRoom();
                }

                return;
            }

            var slot = _pool.Count > 0 ? _pool.Pop() : new Slot(_onCallCompleted);
            slot.Element = element;
            slot.Key = key;
            slot.Sequence = _sequence++;
            _window[(_head + _count) % _window.Length] = slot;
            _count++;

            ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_lastOfKey, key, out var keyBusy);
            if (keyBusy)
            {
                last!.NextOfKey = slot;
                slot.State = SlotState.Waiting;
            }
            else
            {
                slot.State = SlotState.Ready;
                _ready.Enqueue(slot, slot.Sequence);
            }

            last = slot;
            if (StartReadyCalls())
            {
                EmitHead();
            }
        }

        public override void OnPull() => EmitHead();

        public override void OnUpstreamFinish()
        {
            // Elements still in the window are finished and emitted first; EmitHead completes the stage after the last.
            if (_count == 0)
            {
                CompleteStage();
            }
        }

        /// <summary>Starts calls while fewer than parallelism are in flight; false when a failure stopped the stage.</summary>
        private bool StartReadyCalls()
        {
            while (_inFlight < _stage._parallelism && _ready.TryDequeue(out var slot, out _))
            {
                slot.State = SlotState.InFlight;
                _inFlight++;
                Task<TResult>? task;
                Exception? failure = null;
                try
                {
                    task = _stage._function(slot.Element);
                }
                catch (Exception ex)
                {
                    task = null;
                    failure = ex;
                }

                if (task is null || task.IsCompleted)
                {
                    // Finished at once (or the function threw): handled here, without a trip through the mailbox, so
                    // the key's next element can start in this same loop.
                    failure ??= task is null
                        ? new InvalidOperationException($"The function of SelectAsyncPartitioned returned a null task for element #{slot.Sequence} (key {slot.Key}); return a Task.")
                        : null;
                    if (!Finish(slot, task, failure))
                    {
                        return false;
                    }
                }
                else
                {
                    slot.Watch(task);
                }
            }

            return true;
        }

        private void OnCallCompleted(Slot slot)
        {
            if (Finish(slot, slot.Task, failure: null) && StartReadyCalls())
            {
                EmitHead();
            }
        }

        /// <summary>
        /// Takes the outcome of a finished call: frees its key (the key's next element becomes ready) and records the
        /// result, or applies supervision to the failure. Returns false when the failure stopped the stage.
        /// </summary>
        private bool Finish(Slot slot, Task<TResult>? task, Exception? failure)
        {
            _inFlight--;
            var next = slot.NextOfKey;
            if (next is not null)
            {
                slot.NextOfKey = null;
                next.State = SlotState.Ready;
                _ready.Enqueue(next, next.Sequence);
            }
            else
            {
                // The slot is its key's latest element: the key leaves the stage.
                _lastOfKey.Remove(slot.Key);
            }

            if (slot.Abandoned)
            {
                // A Restart dropped this element while its call ran; the outcome is no one's any more (a failure was
                // observed by the slot's continuation).
                _abandoned.Remove(slot);
                Release(slot);
                return true;
            }

            if (failure is null && task!.IsCompletedSuccessfully)
            {
                var output = _stage._combine(slot.Element, task.Result);
                if (output is not null)
                {
                    slot.Output = output;
                    slot.State = SlotState.Done;
                    slot.Element = default!;
                    slot.Task = null;
                    return true;
                }

                failure = new InvalidOperationException(
                    $"The function of SelectAsyncPartitioned completed with null for element #{slot.Sequence} (key {slot.Key}); streams cannot carry null elements.");
            }

            failure ??= Unwrap(task!);
            slot.State = SlotState.Dropped;
            return Supervise(failure, $"its call failed (key {slot.Key})", slot.Sequence);
        }

        /// <summary>
        /// Applies the supervision strategy to a failure of element <paramref name="sequence"/>: Stop fails the stage,
        /// Resume drops the element, Restart drops every element the stage holds. False when the stage stopped.
        /// </summary>
        private bool Supervise(Exception failure, string what, long sequence)
        {
            var directive = _decider(failure);
            switch (directive)
            {
                case Directive.Resume:
                    Log.Error(failure, "SelectAsyncPartitioned dropped element #{0}: {1}. Supervision: Resume.", sequence, what);
                    return true;
                case Directive.Restart:
                    Log.Error(failure, "SelectAsyncPartitioned dropped element #{0} and every element it held: {1}. Supervision: Restart.", sequence, what);
                    Restart();
                    return true;
                default:
                    FailStage(failure);
                    return false;
            }
        }

        /// <summary>
        /// Drops every element the stage holds and has not emitted. Calls in flight cannot be taken back: they become
        /// abandoned, keep their place among the parallelism and keep their key busy until they finish, so that neither
        /// bound is broken by the elements that come after the restart.
        /// </summary>
        private void Restart()
        {
            _ready.Clear();
            _lastOfKey.Clear();
            for (var i = 0; i < _count; i++)
            {
                var index = (_head + i) % _window.Length;
                var slot = _window[index]!;
                _window[index] = null;
                if (slot.State == SlotState.InFlight)
                {
                    slot.Abandoned = true;
                    _abandoned.Add(slot);
                }
                else
                {
                    Release(slot);
                }
            }

            _head = 0;
            _count = 0;

            // At most one call per key is in flight, so each abandoned call is the only element of its key.
            foreach (var slot in _abandoned)
            {
                slot.NextOfKey = null;
                _lastOfKey[slot.Key] = slot;
            }
        }

        /// <summary>
        /// Drops failed elements at the head, emits the head's result when downstream wants it, then completes the stage
        /// when upstream has finished and nothing is left, or pulls when the window has room.
        /// </summary>
        private void EmitHead()
        {
            var pushed = false;
            while (_count > 0)
            {
                var head = _window[_head]!;
                if (head.State == SlotState.Dropped)
                {
                    RemoveHead();
                    Release(head);
                    continue;
                }

                if (pushed || head.State != SlotState.Done || !IsAvailable(_out))
                {
                    break;
                }

                RemoveHead();
                var output = head.Output;
                Release(head);
                Push(_out, output);
                pushed = true;
            }

            if (IsClosed(_in))
            {
                if (_count == 0)
                {
                    CompleteStage();
                }
            }
            else
            {
                PullIfRoom();
            }
        }

        private void PullIfRoom()
        {
            if (_count < _window.Length && !HasBeenPulled(_in) && !IsClosed(_in))
            {
                Pull(_in);
            }
            else if (_count == 0 && IsClosed(_in))
            {
                CompleteStage();
            }
        }

        private void RemoveHead()
        {
            _window[_head] = null;
            _head = (_head + 1) % _window.Length;
            _count--;
        }

        private void Release(Slot slot)
        {
            slot.Reset();
            _pool.Push(slot);
        }

        private static Exception Unwrap(Task task) =>
            task.IsCanceled
                ? new TaskCanceledException(task)
                : task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
    }

    /// <summary>
    /// One element in the window. Its continuation is created once with the slot, so watching a task allocates nothing
    /// of ours; the finished call re-enters the stage through the stage's async callback with the slot as argument.
    /// </summary>
    private sealed class Slot
    {
        private readonly Action<Slot> _onCompleted;
        private readonly Action _continuation;

        public Slot(Action<Slot> onCompleted)
        {
            _onCompleted = onCompleted;
            _continuation = OnTaskCompleted;
        }

        public TIn Element { get; set; } = default!;

        public TKey Key { get; set; } = default!;

        public long Sequence { get; set; }

        public SlotState State { get; set; }

        public Task<TResult>? Task { get; set; }

        public TOut Output { get; set; } = default!;

        /// <summary>The next element of the same key, waiting for this one's call.</summary>
        public Slot? NextOfKey { get; set; }

        /// <summary>Dropped by a Restart while its call was in flight.</summary>
        public bool Abandoned { get; set; }

        public void Watch(Task<TResult> task)
        {
            Task = task;
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continuation);
        }

        public void Reset()
        {
            Element = default!;
            Key = default!;
            Output = default!;
            Task = null;
            NextOfKey = null;
            Abandoned = false;
            State = SlotState.Free;
        }

        private void OnTaskCompleted()
        {
            // Observed here, on the completing thread, so a failure is never reported as unobserved even when the stream
            // has stopped and the callback is no longer delivered.
            if (Task!.IsFaulted)
            {
                _ = Task.Exception;
            }

            _onCompleted(this);
        }
    }
}
