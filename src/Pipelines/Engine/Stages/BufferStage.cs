using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Buffers up to <c>size</c> elements so upstream can run ahead of downstream; when full, the overflow strategy decides
/// (Backpressure stops pulling). Buffered elements are delivered before completion; a failure is passed on at once.
/// </summary>
internal sealed class BufferStage<T>(int size, OverflowStrategy strategy) : GraphStage<FlowShape<T, T>>
{
    private readonly int _size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The buffer size must be positive.");

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Buffer.in"), new Outlet<T>("Buffer.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, _size, strategy);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly RingBuffer<T> _buffer;
        private readonly OverflowStrategy _strategy;

        public Logic(FlowShape<T, T> shape, int size, OverflowStrategy strategy)
            : base(shape)
        {
            _in = shape.Inlet;
            _out = shape.Outlet;
            _buffer = new RingBuffer<T>(size);
            _strategy = strategy;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            if (!_buffer.IsFull)
            {
                _buffer.PushBack(element);
            }
            else
            {
                switch (_strategy)
                {
                    case OverflowStrategy.DropHead:
                        _buffer.PopFront();
                        _buffer.PushBack(element);
                        break;
                    case OverflowStrategy.DropTail:
                        _buffer.PopBack();
                        _buffer.PushBack(element);
                        break;
                    case OverflowStrategy.DropBuffer:
                        _buffer.Clear();
                        _buffer.PushBack(element);
                        break;
                    case OverflowStrategy.DropNew:
                        break;
                    default:
                        FailStage(new BufferOverflowException($"Buffer of {_buffer.Capacity} elements in {this} overflowed (strategy {_strategy})."));
                        return;
                }
            }

            if (IsAvailable(_out))
            {
                Push(_out, _buffer.PopFront());
            }

            PullIfRoom();
        }

        public override void OnPull()
        {
            if (!_buffer.IsEmpty)
            {
                Push(_out, _buffer.PopFront());
            }

            if (IsClosed(_in))
            {
                if (_buffer.IsEmpty)
                {
                    CompleteStage();
                }
            }
            else
            {
                PullIfRoom();
            }
        }

        public override void OnUpstreamFinish()
        {
            if (_buffer.IsEmpty)
            {
                CompleteStage();
            }
        }

        protected internal override void PreStart() => Pull(_in);

        private void PullIfRoom()
        {
            // Only Backpressure stops pulling when full: dropping strategies drop, Fail detects the overflow.
            if (!HasBeenPulled(_in) && !IsClosed(_in) && (!_buffer.IsFull || _strategy != OverflowStrategy.Backpressure))
            {
                Pull(_in);
            }
        }
    }
}
