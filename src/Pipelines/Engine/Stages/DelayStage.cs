using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Shifts every element later by a fixed duration from its arrival, on the materializer's clock: elements wait in a
/// bounded buffer (a ring of element and due time; one timer, for the oldest) and leave in arrival order once due and
/// pulled. When the buffer is full the strategy decides: back-pressure (no element is lost), drop, or fail.
/// </summary>
internal sealed class DelayStage<T> : GraphStage<FlowShape<T, T>>
{
    private static readonly object TimerKey = new();

    private readonly TimeSpan _delay;
    private readonly int? _bufferSize;
    private readonly DelayOverflowStrategy _strategy;

    public DelayStage(TimeSpan delay, int? bufferSize, DelayOverflowStrategy strategy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        if (bufferSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(bufferSize));
        }

        if (!Enum.IsDefined(strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown overflow strategy.");
        }

        _delay = delay;
        _bufferSize = bufferSize;
        _strategy = strategy;
    }

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Delay.in"), new Outlet<T>("Delay.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        var size = _bufferSize ?? inheritedAttributes.Get<Attributes.InputBufferAttribute>()?.Max ?? 16;
        return new Logic(this, size);
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly long _delayTicks;
        private readonly DelayOverflowStrategy _strategy;
        private readonly T[] _elements;
        private readonly long[] _due;
        private int _head;
        private int _count;
        private bool _headDue;
        private long _start;

        public Logic(DelayStage<T> stage, int bufferSize)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _delayTicks = stage._delay.Ticks;
            _strategy = stage._strategy;
            _elements = new T[bufferSize];
            _due = new long[bufferSize];
            SetHandlers(_in, _out, this);
        }

        private long Now => TimeProvider.GetElapsedTime(_start).Ticks;

        public override void OnPush()
        {
            var element = Grab(_in);
            var due = Now + _delayTicks;
            if (_count == _elements.Length && !MakeRoom(element))
            {
                return;
            }

            var tail = (_head + _count) % _elements.Length;
            _elements[tail] = element;
            _due[tail] = due;
            _count++;
            if (_count == 1)
            {
                ScheduleHead();
            }

            PullIfAllowed();
        }

        public override void OnPull() => TryEmit();

        public override void OnUpstreamFinish()
        {
            // Buffered elements are still emitted when due; the last one completes the stage.
            if (_count == 0)
            {
                CompleteStage();
            }
        }

        protected internal override void PreStart()
        {
            _start = TimeProvider.GetTimestamp();
            Pull(_in);
        }

        protected override void OnTimer(object timerKey)
        {
            _headDue = true;
            TryEmit();
        }

        // Returns whether the new element is to be buffered.
        private bool MakeRoom(T element)
        {
            switch (_strategy)
            {
                case DelayOverflowStrategy.DropHead:
                    Log.LogDebug("{Stage} dropped its oldest element: the buffer of {Size} is full (DropHead)", this, _elements.Length);
                    _elements[_head] = default!;
                    _head = (_head + 1) % _elements.Length;
                    _count--;

                    // The next element becomes the oldest; its due time decides the timer.
                    _headDue = false;
                    CancelTimer(TimerKey);
                    if (_count > 0)
                    {
                        ScheduleHead();
                    }

                    return true;

                case DelayOverflowStrategy.DropTail:
                    Log.LogDebug("{Stage} dropped its youngest element: the buffer of {Size} is full (DropTail)", this, _elements.Length);
                    _count--;
                    _elements[(_head + _count) % _elements.Length] = default!;
                    if (_count == 0)
                    {
                        _headDue = false;
                        CancelTimer(TimerKey);
                    }

                    return true;

                case DelayOverflowStrategy.DropNew:
                    Log.LogDebug("{Stage} dropped an arriving element: the buffer of {Size} is full (DropNew)", this, _elements.Length);
                    PullIfAllowed();
                    return false;

                case DelayOverflowStrategy.DropBuffer:
                    Log.LogDebug("{Stage} dropped its {Count} buffered elements: the buffer is full (DropBuffer)", this, _count);
                    Array.Clear(_elements);
                    _head = 0;
                    _count = 0;
                    _headDue = false;
                    CancelTimer(TimerKey);
                    return true;

                case DelayOverflowStrategy.Fail:
                    FailStage(new BufferOverflowException($"{this}: an element arrived while the delay buffer of {_elements.Length} elements was full (strategy Fail)."));
                    return false;

                default:
                    // Back-pressure never pulls while the buffer is full, so no element can arrive here.
                    throw new InvalidOperationException($"{this}: an element arrived while the back-pressured buffer was full.");
            }
        }

        private void ScheduleHead()
        {
            var remaining = _due[_head] - Now;
            if (remaining <= 0)
            {
                _headDue = true;
                TryEmit();
            }
            else
            {
                ScheduleOnce(TimerKey, TimeSpan.FromTicks(remaining));
            }
        }

        private void TryEmit()
        {
            if (!_headDue || !IsAvailable(_out))
            {
                return;
            }

            var element = _elements[_head];
            _elements[_head] = default!;
            _head = (_head + 1) % _elements.Length;
            _count--;
            _headDue = false;
            Push(_out, element);
            if (_count > 0)
            {
                ScheduleHead();
            }
            else if (IsClosed(_in))
            {
                CompleteStage();
                return;
            }

            PullIfAllowed();
        }

        private void PullIfAllowed()
        {
            if (IsClosed(_in) || HasBeenPulled(_in))
            {
                return;
            }

            // Dropping strategies keep pulling (that is what makes them drop); back-pressure stops at a full buffer.
            if (_strategy != DelayOverflowStrategy.Backpressure || _count < _elements.Length)
            {
                Pull(_in);
            }
        }
    }
}
