using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// A source fed from outside through the materialized <see cref="ISourceQueueWithComplete{T}"/>: offers go into a bounded
/// buffer shared (under a lock) by the offering threads and the stage; the stage is woken with one mailbox event when an
/// element arrives while downstream is waiting. When the buffer is full the overflow strategy decides; with
/// Backpressure the offer waits until there is room.
/// </summary>
internal sealed class QueueSource<T>(int bufferSize, OverflowStrategy overflowStrategy) : GraphStageWithMaterializedValue<SourceShape<T>, ISourceQueueWithComplete<T>>
{
    private readonly int _bufferSize = bufferSize >= 0 ? bufferSize : throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "The buffer size must not be negative.");

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Queue.out"));

    public override (GraphStageLogic Logic, ISourceQueueWithComplete<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape, _bufferSize, overflowStrategy);
        return (logic, logic.Queue);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<T> _out;

        public Logic(SourceShape<T> shape, int bufferSize, OverflowStrategy strategy)
            : base(shape)
        {
            _out = shape.Outlet;
            SetHandler(_out, this);
            Queue = new SharedQueue(bufferSize, strategy, GetAsyncCallback(OnWake));
        }

        public SharedQueue Queue { get; }

        public override void OnPull() => Deliver();

        public override void OnDownstreamFinish(Exception? cause)
        {
            Queue.Close(QueueOfferResult.QueueClosed, cause);
            CompleteStage();
        }

        protected internal override void PostStop() =>
            Queue.Close(
                StageFailure is null ? QueueOfferResult.QueueClosed : new QueueOfferResult.Failure(StageFailure),
                StageFailure ?? AbortCause);

        private void OnWake()
        {
            if (Queue.FailureToSignal is { } failure)
            {
                FailStage(failure);
            }
            else if (IsAvailable(_out))
            {
                Deliver();
            }
            else if (Queue.IsCompletedAndDrained)
            {
                CompleteStage();
            }
        }

        private void Deliver()
        {
            switch (Queue.TakeForDownstream(out var element))
            {
                case Take.Element:
                    Push(_out, element);
                    break;
                case Take.Complete:
                    CompleteStage();
                    break;
                case Take.Fail:
                    FailStage(Queue.FailureToSignal!);
                    break;
            }
        }
    }

    private enum Take
    {
        Wait,
        Element,
        Complete,
        Fail,
    }

    private sealed class SharedQueue(int capacity, OverflowStrategy strategy, StageCallback wake) : ISourceQueueWithComplete<T>
    {
        private readonly Lock _gate = new();
        // One extra slot: an element handed straight to a waiting downstream may sit here even when capacity is 0.
        private readonly RingBuffer<T> _buffer = new(capacity + 1);
        private readonly LinkedList<PendingOffer> _pending = [];
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _downstreamWaiting;
        private bool _completing;
        private QueueOfferResult? _closed;

        public Exception? FailureToSignal { get; private set; }

        public bool IsCompletedAndDrained
        {
            get
            {
                lock (_gate)
                {
                    return _completing && _buffer.IsEmpty;
                }
            }
        }

        public ValueTask<QueueOfferResult> OfferAsync(T element, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<QueueOfferResult>(cancellationToken);
            }

            var signal = false;
            QueueOfferResult result;
            PendingOffer? pending = null;
            lock (_gate)
            {
                if (_closed is not null || _completing)
                {
                    return ValueTask.FromResult(_closed ?? QueueOfferResult.QueueClosed);
                }

                if (_buffer.Count < capacity || (_downstreamWaiting && _buffer.IsEmpty))
                {
                    signal = Accept(element);
                    result = QueueOfferResult.Enqueued;
                }
                else
                {
                    switch (strategy)
                    {
                        case OverflowStrategy.DropHead:
                            _buffer.PopFront();
                            _buffer.PushBack(element);
                            result = QueueOfferResult.Enqueued;
                            break;
                        case OverflowStrategy.DropTail:
                            _buffer.PopBack();
                            _buffer.PushBack(element);
                            result = QueueOfferResult.Enqueued;
                            break;
                        case OverflowStrategy.DropBuffer:
                            _buffer.Clear();
                            _buffer.PushBack(element);
                            result = QueueOfferResult.Enqueued;
                            break;
                        case OverflowStrategy.DropNew:
                            result = QueueOfferResult.Dropped;
                            break;
                        case OverflowStrategy.Fail:
                            var overflow = new BufferOverflowException($"Source.Queue buffer of {capacity} overflowed (strategy Fail).");
                            FailLocked(overflow);
                            signal = true;
                            result = new QueueOfferResult.Failure(overflow);
                            break;
                        default:
                            pending = new PendingOffer(element, this);
                            pending.Node = _pending.AddLast(pending);
                            result = QueueOfferResult.Enqueued;
                            break;
                    }
                }
            }

            if (signal)
            {
                wake.Invoke();
            }

            if (pending is null)
            {
                return ValueTask.FromResult(result);
            }

            if (cancellationToken.CanBeCanceled)
            {
                pending.Registration = cancellationToken.Register(static s => ((PendingOffer)s!).Owner.CancelOffer((PendingOffer)s!), pending);
                if (pending.Result.Task.IsCompleted)
                {
                    // Admitted or rejected before the registration existed: nothing left to cancel.
                    pending.Registration.Dispose();
                }
            }

            return new ValueTask<QueueOfferResult>(pending.Result.Task);
        }

        public Task WatchCompletionAsync() => _completion.Task;

        public void Complete()
        {
            List<PendingOffer>? rejected;
            lock (_gate)
            {
                if (_closed is not null || _completing)
                {
                    return;
                }

                _completing = true;
                rejected = TakePendingLocked();
            }

            Resolve(rejected, QueueOfferResult.QueueClosed);
            wake.Invoke();
        }

        public void Fail(Exception cause)
        {
            ArgumentNullException.ThrowIfNull(cause);
            List<PendingOffer>? rejected;
            lock (_gate)
            {
                if (_closed is not null)
                {
                    return;
                }

                rejected = FailLocked(cause);
            }

            Resolve(rejected, new QueueOfferResult.Failure(cause));
            wake.Invoke();
        }

        /// <summary>Called by the stage when downstream pulls.</summary>
        public Take TakeForDownstream(out T element)
        {
            PendingOffer? admitted = null;
            Take take;
            lock (_gate)
            {
                if (FailureToSignal is not null)
                {
                    element = default!;
                    return Take.Fail;
                }

                if (!_buffer.IsEmpty)
                {
                    element = _buffer.PopFront();
                    _downstreamWaiting = false;
                    if (_buffer.Count < capacity)
                    {
                        admitted = AdmitPendingLocked();
                    }

                    take = Take.Element;
                }
                else if (AdmitPendingLocked() is { } handedOver)
                {
                    // Capacity 0: a waiting offer goes straight to downstream.
                    admitted = handedOver;
                    element = _buffer.PopFront();
                    take = Take.Element;
                }
                else if (_completing)
                {
                    element = default!;
                    take = Take.Complete;
                }
                else
                {
                    element = default!;
                    _downstreamWaiting = true;
                    take = Take.Wait;
                }
            }

            admitted?.Complete(QueueOfferResult.Enqueued);
            return take;
        }

        /// <summary>Called by the stage when it stops: no offer is accepted any more and waiting offers are answered.</summary>
        public void Close(QueueOfferResult result, Exception? failure)
        {
            List<PendingOffer>? rejected;
            lock (_gate)
            {
                _closed ??= result;
                _buffer.Clear();
                rejected = TakePendingLocked();
            }

            Resolve(rejected, _closed);
            if (failure is null)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(failure);

                // Observed here: a caller who never watches completion must not get an UnobservedTaskException.
                _ = _completion.Task.Exception;
            }
        }

        private bool Accept(T element)
        {
            _buffer.PushBack(element);
            if (_downstreamWaiting)
            {
                _downstreamWaiting = false;
                return true;
            }

            return false;
        }

        private List<PendingOffer>? FailLocked(Exception cause)
        {
            FailureToSignal = cause;
            _closed = new QueueOfferResult.Failure(cause);
            _buffer.Clear();
            return TakePendingLocked();
        }

        private PendingOffer? AdmitPendingLocked()
        {
            if (_pending.First is not { } node)
            {
                return null;
            }

            var first = node.Value;
            _pending.RemoveFirst();
            first.Node = null;
            _buffer.PushBack(first.Element);
            return first;
        }

        private List<PendingOffer>? TakePendingLocked()
        {
            if (_pending.Count == 0)
            {
                return null;
            }

            var taken = _pending.ToList();
            _pending.Clear();
            taken.ForEach(p => p.Node = null);
            return taken;
        }

        private static void Resolve(List<PendingOffer>? offers, QueueOfferResult result) => offers?.ForEach(o => o.Complete(result));

        private void CancelOffer(PendingOffer offer)
        {
            lock (_gate)
            {
                if (offer.Node is null)
                {
                    return;
                }

                _pending.Remove(offer.Node);
                offer.Node = null;
            }

            offer.Registration.Dispose();
            offer.Result.TrySetCanceled();
        }
    }

    private sealed class PendingOffer(T element, SharedQueue owner)
    {
        public T Element { get; } = element;

        public TaskCompletionSource<QueueOfferResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<PendingOffer>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public SharedQueue Owner { get; } = owner;

        public void Complete(QueueOfferResult result)
        {
            Registration.Dispose();
            Result.TrySetResult(result);
        }
    }
}
