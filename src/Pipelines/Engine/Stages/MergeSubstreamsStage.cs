using Pipelines.Engine.Dsl;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Flattens a stream of sources: materializes up to <c>breadth</c> of them at a time, each in an island of its own
/// whose last stage writes into a bounded buffer, and emits their elements as they arrive, taking turns between the
/// substreams that have elements (round robin). Upstream is pulled for another source while fewer than <c>breadth</c>
/// run. A failing substream fails the stage; completion waits for upstream and every substream.
/// </summary>
internal sealed class MergeSubstreamsStage<T> : GraphStage<FlowShape<Source<T, NotUsed>, T>>
{
    private readonly int _breadth;

    public MergeSubstreamsStage(int breadth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(breadth);
        _breadth = breadth;
    }

    public override FlowShape<Source<T, NotUsed>, T> Shape { get; } =
        new(new Inlet<Source<T, NotUsed>>("MergeSubstreams.in"), new Outlet<T>("MergeSubstreams.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<Source<T, NotUsed>> _in;
        private readonly Outlet<T> _out;
        private readonly int _breadth;
        private readonly int _bufferSize;
        private readonly HashSet<Substream> _active = [];

        // Substreams that may have elements (they were woken, or have not parked since their last element), oldest first.
        private readonly Queue<Substream> _ready = new();
        private Exception? _downstreamCause;

        public Logic(MergeSubstreamsStage<T> stage, Attributes attributes)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _breadth = stage._breadth;
            _bufferSize = attributes.Get<Attributes.InputBufferAttribute>()?.Max ?? 16;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var source = Grab(_in);
            var substream = new Substream(this, _bufferSize);
            _active.Add(substream);
            source.To(new SubstreamSinkStage<T>(substream.Buffer)).Run(Materializer);
            MakeReady(substream);
            if (_active.Count < _breadth)
            {
                Pull(_in);
            }
        }

        public override void OnPull() => Deliver();

        public override void OnUpstreamFinish()
        {
            if (_active.Count == 0)
            {
                CompleteStage();
            }
        }

        public override void OnDownstreamFinish(Exception? cause)
        {
            _downstreamCause = cause;
            CancelStage(cause);
        }

        protected internal override void PreStart() => Pull(_in);

        protected internal override void PostStop()
        {
            // Substreams still running are cancelled: with the failure that stopped this stage, or downstream's cause.
            var cause = StageFailure ?? AbortCause ?? _downstreamCause;
            foreach (var substream in _active)
            {
                substream.Buffer.Cancel(cause);
            }

            _active.Clear();
        }

        private void MakeReady(Substream substream)
        {
            if (!substream.Queued)
            {
                substream.Queued = true;
                _ready.Enqueue(substream);
            }

            if (IsAvailable(_out))
            {
                Deliver();
            }
        }

        private void Deliver()
        {
            while (_ready.TryDequeue(out var substream))
            {
                substream.Queued = false;
                if (substream.Finished)
                {
                    continue;
                }

                var buffer = substream.Buffer;
                var state = buffer.UpstreamState;
                if (state == BoundaryBuffer<T>.Failed)
                {
                    FailStage(buffer.Failure!);
                    return;
                }

                if (buffer.TryRead(out var element))
                {
                    Push(_out, element);

                    // Back of the queue: the other substreams with elements get their turn first.
                    substream.Queued = true;
                    _ready.Enqueue(substream);
                    return;
                }

                if (state == BoundaryBuffer<T>.Completed)
                {
                    // The state was read before the ring: every element written before completion has been taken.
                    if (Finish(substream))
                    {
                        return;
                    }
                }
                else if (buffer.ParkConsumer())
                {
                    // Something arrived while parking: look again.
                    substream.Queued = true;
                    _ready.Enqueue(substream);
                }
            }
        }

        private void OnConsumerWake(Substream substream)
        {
            if (substream.Finished)
            {
                return;
            }

            var buffer = substream.Buffer;
            if (buffer.UpstreamState == BoundaryBuffer<T>.Failed)
            {
                FailStage(buffer.Failure!);
            }
            else if (!IsAvailable(_out) && buffer.UpstreamState == BoundaryBuffer<T>.Completed && buffer.IsEmpty)
            {
                // Nothing left to deliver: complete without waiting for demand.
                Finish(substream);
            }
            else
            {
                MakeReady(substream);
            }
        }

        /// <returns>Whether the stage completed.</returns>
        private bool Finish(Substream substream)
        {
            substream.Finished = true;
            _active.Remove(substream);
            if (IsClosed(_in))
            {
                if (_active.Count == 0)
                {
                    CompleteStage();
                    return true;
                }
            }
            else if (!HasBeenPulled(_in))
            {
                Pull(_in);
            }

            return false;
        }

        private sealed class Substream
        {
            public Substream(Logic logic, int bufferSize) =>
                Buffer = new BoundaryBuffer<T>(bufferSize) { WakeConsumer = logic.GetAsyncCallback(() => logic.OnConsumerWake(this)) };

            public BoundaryBuffer<T> Buffer { get; }

            // In the ready queue.
            public bool Queued { get; set; }

            // Completed and drained; no longer read.
            public bool Finished { get; set; }
        }
    }
}
