using Pipelines.Engine.Dsl;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Splits the stream into one substream per key: emits a <see cref="Source{TOut,TMat}"/> for each new key and feeds
/// every element to its key's substream through a bounded buffer (the materializer's input buffer size), so the
/// substreams run concurrently, each in the island that materializes it. Upstream is pulled while the target buffer
/// has room: a full buffer, or a new substream waiting to be emitted, back-pressures upstream (and so every substream).
/// </summary>
/// <remarks>
/// A substream that cancels closes its key: later elements of that key are dropped, unless closed substreams may be
/// recreated, in which case the key opens a new substream that first receives the elements the cancelled one did not
/// read (Akka's default is to drop). Closed keys count towards <c>maxSubstreams</c> while they are remembered (they are
/// forgotten only when recreation is allowed). When downstream cancels normally the open substreams keep running (new
/// keys are dropped); when it cancels because it failed, the stage fails with that error.
/// </remarks>
internal sealed class GroupByStage<T, TKey> : GraphStage<FlowShape<T, Source<T, NotUsed>>>
    where TKey : notnull
{
    private readonly int _maxSubstreams;
    private readonly Func<T, TKey> _keySelector;
    private readonly bool _allowClosedSubstreamRecreation;

    public GroupByStage(int maxSubstreams, Func<T, TKey> keySelector, bool allowClosedSubstreamRecreation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSubstreams);
        ArgumentNullException.ThrowIfNull(keySelector);
        _maxSubstreams = maxSubstreams;
        _keySelector = keySelector;
        _allowClosedSubstreamRecreation = allowClosedSubstreamRecreation;
    }

    public override FlowShape<T, Source<T, NotUsed>> Shape { get; } =
        new(new Inlet<T>("GroupBy.in"), new Outlet<Source<T, NotUsed>>("GroupBy.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : InAndOutGraphStageLogic, IRunEndHook
    {
        private readonly GroupByStage<T, TKey> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<Source<T, NotUsed>> _out;
        private readonly int _bufferSize;
        private readonly Dictionary<TKey, Substream> _active = [];
        private readonly HashSet<TKey>? _closed;
        private readonly List<Substream> _dirty = [];

        // Elements a cancelled substream never read, routed again (to a new substream of their key) before upstream
        // is pulled; only used when closed substreams may be recreated.
        private readonly Queue<T>? _replay;

        // An element whose substream's buffer is full; nothing else is routed until it is written.
        private Substream? _pendingFor;
        private T _pending = default!;

        // A new substream whose source downstream has not pulled yet; nothing else is routed until it is emitted.
        private Substream? _toEmit;
        private bool _finished;

        public Logic(GroupByStage<T, TKey> stage, Attributes attributes)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _bufferSize = attributes.Get<Attributes.InputBufferAttribute>()?.Max ?? 16;
            if (stage._allowClosedSubstreamRecreation)
            {
                _replay = new Queue<T>();
            }
            else
            {
                _closed = [];
            }

            SetHandlers(_in, _out, this);
        }

        private bool IsBlocked => _pendingFor is not null || _toEmit is not null;

        public override void OnPush()
        {
            Route(Grab(_in));
            Continue();
        }

        public override void OnPull()
        {
            if (_toEmit is { } substream)
            {
                _toEmit = null;
                Push(_out, substream.Source);
            }

            Continue();
        }

        public override void OnUpstreamFinish() => Continue();

        public override void OnUpstreamFailure(Exception cause) => Fail(cause);

        public override void OnDownstreamFinish(Exception? cause)
        {
            if (cause is not null)
            {
                // Downstream failed (e.g. a merged substream failed): the substreams and upstream must stop too.
                Fail(cause);
                return;
            }

            if (_toEmit is { } substream)
            {
                // Its source can no longer be handed out: nobody will ever read it.
                _toEmit = null;
                _active.Remove(substream.Key);
                substream.Buffer.CompleteUpstream();
            }

            if (_active.Count == 0)
            {
                _finished = true;
                CancelStage(cause);
            }
            else
            {
                // The open substreams keep running; elements of new keys are dropped from now on.
                Continue();
            }
        }

        public void OnRunEnd()
        {
            // Publish this run's writes to consumers that may have parked meanwhile (see BoundaryBuffer.FlushToConsumer).
            foreach (var substream in _dirty)
            {
                substream.Dirty = false;
                substream.Buffer.FlushToConsumer();
            }

            _dirty.Clear();
        }

        protected internal override void PreStart()
        {
            Interpreter!.RegisterRunEndHook(this);

            // The stage lives on while substreams are open, even after both of its own ports closed.
            SetKeepGoing(true);
        }

        protected internal override void PostStop()
        {
            if (_finished)
            {
                return;
            }

            // Stopped from outside (materializer shutdown) or failed: substreams must not wait for elements that never come.
            var cause = AbortCause ?? StageFailure ?? new AbruptStageTerminationException($"{this} stopped before its substreams completed.");
            foreach (var substream in _active.Values)
            {
                substream.Buffer.FailUpstream(cause);
            }
        }

        protected override void OnResume(Exception cause) => Continue();

        private void Route(T element)
        {
            var key = _stage._keySelector(element)
                ?? throw new InvalidOperationException($"The key selector of {this} returned null for element '{element}'; keys must not be null.");
            if (_active.TryGetValue(key, out var substream))
            {
                Offer(substream, element);
                return;
            }

            if (_closed?.Contains(key) == true || IsClosed(_out))
            {
                // The key's substream was cancelled (it wants no more elements), or nobody takes new substreams any more.
                return;
            }

            var open = _active.Count + (_closed?.Count ?? 0);
            if (open >= _stage._maxSubstreams)
            {
                throw new TooManySubstreamsOpenException(
                    $"{this} cannot open a substream for key '{key}': maxSubstreams is {_stage._maxSubstreams} and {_active.Count} substreams are open"
                    + (_closed is { Count: > 0 } ? $" ({_closed.Count} closed keys are remembered and count towards the limit)" : string.Empty)
                    + ". Raise maxSubstreams or use fewer distinct keys.");
            }

            substream = new Substream(this, key, _bufferSize);
            _active.Add(key, substream);
            substream.Buffer.Write(element);
            if (IsAvailable(_out))
            {
                Push(_out, substream.Source);
            }
            else
            {
                _toEmit = substream;
            }
        }

        private void Offer(Substream substream, T element)
        {
            var buffer = substream.Buffer;
            if (buffer.ProducerHasSpace() || buffer.ParkProducer())
            {
                Write(substream, element);
            }
            else
            {
                // The substream's buffer is full: wait for its consumer to make room (OnProducerWake).
                _pendingFor = substream;
                _pending = element;
            }
        }

        private void Write(Substream substream, T element)
        {
            substream.Buffer.Write(element);
            substream.Buffer.NotifyConsumerIfWaiting();
            if (!substream.Dirty)
            {
                substream.Dirty = true;
                _dirty.Add(substream);
            }
        }

        /// <summary>Routes replayed elements, then pulls upstream (or completes after it finished) unless an element is blocked.</summary>
        private void Continue()
        {
            while (!IsBlocked && _replay is { Count: > 0 })
            {
                Route(_replay.Dequeue());
            }

            if (IsBlocked)
            {
                return;
            }

            if (!IsClosed(_in))
            {
                if (!HasBeenPulled(_in))
                {
                    Pull(_in);
                }

                return;
            }

            // Upstream finished and every element was handed to its substream: complete the substreams.
            foreach (var substream in _active.Values)
            {
                if (!substream.Completed)
                {
                    substream.Completed = true;
                    substream.Buffer.CompleteUpstream();
                }
            }

            // With recreation, a substream that cancels before reading all of its elements hands them to a new substream
            // of its key, so the stage waits until every substream has finished reading (its consumer reports it).
            if (_replay is null || _active.Count == 0)
            {
                _active.Clear();
                _finished = true;
                CompleteStage();
            }
        }

        private void OnProducerWake(Substream substream)
        {
            if (substream.Closed)
            {
                return;
            }

            if (substream.Buffer.Cancelled)
            {
                OnSubstreamCancelled(substream);
                return;
            }

            if (_pendingFor == substream && (substream.Buffer.ProducerHasSpace() || substream.Buffer.ParkProducer()))
            {
                var element = _pending;
                _pendingFor = null;
                _pending = default!;
                Write(substream, element);
                Continue();
            }
        }

        private void OnSubstreamCancelled(Substream substream)
        {
            // A cancellation carrying an error (a stage of the substream failed) closes the key like any other: the
            // failure itself travels down the substream, where it is recovered from or fails the merged stream.
            substream.Closed = true;
            _active.Remove(substream.Key);
            if (_replay is null)
            {
                // The key is closed: the elements it did not read, and the one waiting for it, are not wanted.
                _closed!.Add(substream.Key);
            }
            else
            {
                // The key will open a new substream: hand it the elements the cancelled one did not read, in order.
                while (substream.Buffer.TryReclaim(out var unread))
                {
                    _replay.Enqueue(unread);
                }

                if (_pendingFor == substream)
                {
                    _replay.Enqueue(_pending);
                }
            }

            if (_pendingFor == substream)
            {
                _pendingFor = null;
                _pending = default!;
            }

            if (IsClosed(_out) && _active.Count == 0)
            {
                // Nobody is left to feed.
                _finished = true;
                CompleteStage();
                return;
            }

            Continue();
        }

        private void Fail(Exception cause)
        {
            foreach (var substream in _active.Values)
            {
                substream.Closed = true;
                substream.Buffer.FailUpstream(cause);
            }

            _active.Clear();
            _finished = true;
            FailStage(cause);
        }

        private sealed class Substream
        {
            public Substream(Logic logic, TKey key, int bufferSize)
            {
                Key = key;
                Buffer = new BoundaryBuffer<T>(bufferSize) { WakeProducer = logic.GetAsyncCallback(() => logic.OnProducerWake(this)) };
                Source = Dsl.Source.FromGraph(new SubstreamSourceStage<T>(Buffer, $"GroupBy substream of key '{key}'"))
                    .Via(new SubstreamDrainedStage<T>(Buffer));
            }

            public TKey Key { get; }

            public BoundaryBuffer<T> Buffer { get; }

            public Source<T, NotUsed> Source { get; }

            // Written in the current island run and not yet published with FlushToConsumer.
            public bool Dirty { get; set; }

            // Upstream completion was passed on to the substream.
            public bool Completed { get; set; }

            // Finished reading, failed or cancelled: no longer fed.
            public bool Closed { get; set; }
        }
    }
}
