using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Calls an async function for each element with at most <c>parallelism</c> calls in flight overall and at most one per
/// key, and emits the results in input order: elements of one key are processed strictly one after another, different
/// keys in parallel. It holds a window of <c>parallelism</c> + input-buffer elements; an element whose key is busy waits
/// without blocking later elements of other keys inside the window. Resume/Restart drop an element whose call failed.
/// </summary>
internal sealed class SelectAsyncPartitionedStage<TIn, TOut, TKey>(int parallelism, Func<TIn, TKey> partitioner, Func<TIn, Task<TOut>> selector)
    : GraphStage<FlowShape<TIn, TOut>>
    where TKey : notnull
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive.");
    private readonly Func<TIn, TKey> _partitioner = partitioner ?? throw new ArgumentNullException(nameof(partitioner));
    private readonly Func<TIn, Task<TOut>> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("SelectAsyncPartitioned.in"), new Outlet<TOut>("SelectAsyncPartitioned.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        var buffer = inheritedAttributes.Get<Attributes.InputBufferAttribute>()?.Max ?? 16;
        return new Logic(this, _parallelism + buffer);
    }

    private sealed class Logic : OrderedAsyncLogic<TIn, TOut>
    {
        private readonly SelectAsyncPartitionedStage<TIn, TOut, TKey> _stage;

        // Per key with elements in the window: whether a call is in flight, and its elements not started yet.
        private readonly Dictionary<TKey, KeyState> _keys = [];

        // Elements that may start now (first waiting element of a key with nothing in flight), earliest first.
        private readonly PriorityQueue<AsyncSlot<TIn, TOut>, long> _ready = new();

        // Key states are reused: with many distinct keys, almost every element brings a key that is not in the window.
        private readonly Stack<KeyState> _freeKeys = new();
        private long _sequence;
        private int _inFlight;

        public Logic(SelectAsyncPartitionedStage<TIn, TOut, TKey> stage, int window)
            : base(stage.Shape, window)
        {
            _stage = stage;
        }

        public override void OnPush()
        {
            var element = Grab(In);
            var key = _stage._partitioner(element);
            var slot = AddSlot();
            slot.Element = element;
            slot.Sequence = _sequence++;
            slot.State = AsyncSlotState.Waiting;
            if (!_keys.TryGetValue(key, out var state))
            {
                state = _freeKeys.Count > 0 ? _freeKeys.Pop() : new KeyState();
                state.Key = key;
                _keys.Add(key, state);
            }

            slot.Key = state;
            state.Waiting.Enqueue(slot);
            if (!state.InFlight && state.Waiting.Count == 1)
            {
                _ready.Enqueue(slot, slot.Sequence);
            }

            if (Dispatch())
            {
                EmitHead();
            }
        }

        public override void OnUpstreamFinish() => EmitHead();

        /// <summary>Starts ready elements while there is room; false when a failed call stopped the stage.</summary>
        private bool Dispatch()
        {
            while (_inFlight < _stage._parallelism && _ready.TryDequeue(out var slot, out _))
            {
                var state = (KeyState)slot.Key!;
                state.Waiting.Dequeue();
                state.InFlight = true;
                _inFlight++;
                Task<TOut> task;
                try
                {
                    task = _stage._selector(slot.Element) ?? throw new InvalidOperationException("The async function returned a null task.");
                }
                catch (Exception ex)
                {
                    task = Task.FromException<TOut>(ex);
                }

                // A call that completed at once frees its key here, so the key's next element can start in this loop.
                if (slot.Start(task) && !Record(slot))
                {
                    return false;
                }
            }

            return true;
        }

        protected override void OnCompleted(AsyncSlot<TIn, TOut> slot)
        {
            if (Record(slot) && Dispatch())
            {
                EmitHead();
            }
        }

        /// <summary>Takes the outcome of a completed call and frees its key; false when the failure stopped the stage.</summary>
        private bool Record(AsyncSlot<TIn, TOut> slot)
        {
            _inFlight--;
            var state = (KeyState)slot.Key!;
            state.InFlight = false;
            if (state.Waiting.Count > 0)
            {
                var next = state.Waiting.Peek();
                _ready.Enqueue(next, next.Sequence);
            }
            else
            {
                _keys.Remove(state.Key);
                state.Key = default!;
                _freeKeys.Push(state);
            }

            return TakeOutcome(slot);
        }

        private sealed class KeyState
        {
            public TKey Key { get; set; } = default!;

            public bool InFlight { get; set; }

            public Queue<AsyncSlot<TIn, TOut>> Waiting { get; } = new();
        }
    }
}
