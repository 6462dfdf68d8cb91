using Microsoft.Extensions.Logging;
using Pipelines.Streams.Implementation;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>
/// Calls an async function for each element with up to <c>parallelism</c> calls in flight and emits the results in input
/// order (Akka mapAsync). Resume/Restart drop an element whose call failed (synchronously or through its task).
/// </summary>
internal sealed class SelectAsyncStage<TIn, TOut>(int parallelism, Func<TIn, Task<TOut>> selector) : GraphStage<FlowShape<TIn, TOut>>
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive.");
    private readonly Func<TIn, Task<TOut>> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("SelectAsync.in"), new Outlet<TOut>("SelectAsync.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private readonly Func<TIn, Task<TOut>> _selector;
        private readonly RingBuffer<AsyncSlot<TIn, TOut>> _inFlight;
        private readonly Stack<AsyncSlot<TIn, TOut>> _free = new();

        public Logic(SelectAsyncStage<TIn, TOut> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _selector = stage._selector;
            _inFlight = new RingBuffer<AsyncSlot<TIn, TOut>>(stage._parallelism);
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var task = _selector(Grab(_in)) ?? throw new InvalidOperationException("The async function returned a null task.");
            var slot = _free.Count > 0 ? _free.Pop() : new AsyncSlot<TIn, TOut>(this, OnCompleted);
            _inFlight.PushBack(slot);
            if (slot.Start(task))
            {
                if (!Record(slot))
                {
                    return;
                }

                EmitHead();
            }
            else
            {
                PullIfRoom();
            }
        }

        public override void OnPull() => EmitHead();

        public override void OnUpstreamFinish()
        {
            if (_inFlight.IsEmpty)
            {
                CompleteStage();
            }
        }

        protected override void OnResume(Exception cause) => EmitHead();

        private void OnCompleted(AsyncSlot<TIn, TOut> slot)
        {
            if (Record(slot))
            {
                EmitHead();
            }
        }

        /// <summary>Takes the outcome of a completed call; false when the failure stopped the stage.</summary>
        private bool Record(AsyncSlot<TIn, TOut> slot)
        {
            var task = slot.Task!;
            if (task.IsCompletedSuccessfully)
            {
                slot.Result = task.Result;
                slot.State = AsyncSlotState.Done;
                return true;
            }

            if (!ResumeAfterFailedCall(task))
            {
                return false;
            }

            slot.State = AsyncSlotState.Dropped;
            return true;
        }

        private void EmitHead()
        {
            while (!_inFlight.IsEmpty)
            {
                var head = _inFlight.PeekFront();
                if (head.State == AsyncSlotState.Pending || (head.State == AsyncSlotState.Done && !IsAvailable(_out)))
                {
                    break;
                }

                _inFlight.PopFront();
                var result = head.Result;
                var done = head.State == AsyncSlotState.Done;
                head.Reset();
                _free.Push(head);
                if (done)
                {
                    Push(_out, result);
                    break;
                }
            }

            if (IsClosed(_in) && _inFlight.IsEmpty)
            {
                CompleteStage();
            }
            else
            {
                PullIfRoom();
            }
        }

        private void PullIfRoom()
        {
            if (!_inFlight.IsFull && !HasBeenPulled(_in) && !IsClosed(_in))
            {
                Pull(_in);
            }
        }
    }
}
