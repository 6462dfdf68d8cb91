using Microsoft.Extensions.Logging;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Calls an async function for each element with up to <c>parallelism</c> calls in flight and emits the results as they
/// complete, in any order (Akka mapAsyncUnordered). Resume/Restart drop an element whose call failed.
/// </summary>
internal sealed class SelectAsyncUnorderedStage<TIn, TOut>(int parallelism, Func<TIn, Task<TOut>> selector) : GraphStage<FlowShape<TIn, TOut>>
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive.");
    private readonly Func<TIn, Task<TOut>> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("SelectAsyncUnordered.in"), new Outlet<TOut>("SelectAsyncUnordered.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private readonly Func<TIn, Task<TOut>> _selector;
        private readonly int _parallelism;
        private readonly RingBuffer<TOut> _results;
        private readonly Stack<AsyncSlot<TIn, TOut>> _free = new();
        private int _inFlight;

        public Logic(SelectAsyncUnorderedStage<TIn, TOut> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _selector = stage._selector;
            _parallelism = stage._parallelism;
            _results = new RingBuffer<TOut>(stage._parallelism);
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var task = _selector(Grab(_in)) ?? throw new InvalidOperationException("The async function returned a null task.");
            var slot = _free.Count > 0 ? _free.Pop() : new AsyncSlot<TIn, TOut>(this, OnCompleted);
            _inFlight++;
            if (!slot.Start(task))
            {
                PullIfRoom();
            }
            else if (Record(slot))
            {
                CompleteOrPull();
            }
        }

        public override void OnPull()
        {
            if (!_results.IsEmpty)
            {
                Push(_out, _results.PopFront());
            }

            CompleteOrPull();
        }

        public override void OnUpstreamFinish() => CompleteOrPull();

        protected override void OnResume(Exception cause) => CompleteOrPull();

        private void OnCompleted(AsyncSlot<TIn, TOut> slot)
        {
            if (Record(slot))
            {
                CompleteOrPull();
            }
        }

        /// <summary>Emits or buffers the outcome of a completed call and frees its slot; false when the failure stopped the stage.</summary>
        private bool Record(AsyncSlot<TIn, TOut> slot)
        {
            var task = slot.Task!;
            _inFlight--;
            slot.Reset();
            _free.Push(slot);
            if (task.IsCompletedSuccessfully)
            {
                if (IsAvailable(_out))
                {
                    Push(_out, task.Result);
                }
                else
                {
                    _results.PushBack(task.Result);
                }

                return true;
            }

            if (!ResumeAfterFailedCall(task))
            {
                return false;
            }

            return true;
        }

        private void CompleteOrPull()
        {
            if (IsClosed(_in))
            {
                if (_inFlight == 0 && _results.IsEmpty)
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
            if (_inFlight + _results.Count < _parallelism && !HasBeenPulled(_in) && !IsClosed(_in))
            {
                Pull(_in);
            }
        }
    }
}
