using Akka;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// The committer: marks each incoming offset processed in its consumer's ledger at once, and commits in batches of
/// <c>max-batch</c> offsets or every <c>max-interval</c>, with at most <c>parallelism</c> commits in flight.
/// </summary>
/// <remarks>
/// <para>
/// Emits the committed batch (when <c>emitBatches</c>) after the broker acknowledged it (WaitForAck) or as soon as the
/// commit is sent (SendAndForget). Back-pressures when <c>parallelism</c> commits are in flight or a batch waits for
/// downstream. Completes when upstream completed and every commit finished. Fails when a commit fails (WaitForAck).
/// </para>
/// <para>
/// Upstream failure: the offsets received so far (all of them processed) are still committed, then the stage fails with
/// upstream's error (a failure of that last commit is logged, not reported in its place). Marking an offset processed before its batch is committed is safe: the ledger only ever commits up to
/// the lowest unprocessed offset, and it lets a rebalance commit everything the committer has seen.
/// </para>
/// </remarks>
/// <para>
/// Materializes a task that completes when the stage has completed (every commit finished), faults with its failure, or
/// with an <see cref="AbruptStageTerminationException"/> when the stream is torn down first: the committer sink's task.
/// </para>
internal sealed class CommitterStage<T> : GraphStageWithMaterializedValue<FlowShape<T, CommittableOffsetBatch>, Task<Done>>
    where T : ICommittable
{
    private static readonly object TimerKey = new();
    private readonly CommitterSettings _settings;
    private readonly bool _emitBatches;

    public CommitterStage(CommitterSettings settings, bool emitBatches)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _emitBatches = emitBatches;
        Shape = new FlowShape<T, CommittableOffsetBatch>(new Inlet<T>("Committer.in"), new Outlet<CommittableOffsetBatch>("Committer.out"));
    }

    public override FlowShape<T, CommittableOffsetBatch> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName("Committer");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<Task<Done>>(logic, logic.Completion.Task);
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly CommitterSettings _settings;
        private readonly bool _emitBatches;
        private readonly Inlet<T> _in;
        private readonly Outlet<CommittableOffsetBatch> _out;
        private readonly List<IOffsetCommitter> _committers = [];
        private readonly List<CommittableOffset>? _batch;
        private Dictionary<PartitionState, CommittableOffset>? _deferred;
        private Action<CommitOutcome>? _onCommitted;
        private IOffsetCommitter? _lastCommitter;
        private int _count;
        private int _inFlight;
        private int _emitting;
        private bool _upstreamDone;
        private Exception? _upstreamFailure;

        public Logic(CommitterStage<T> stage)
            : base(stage.Shape)
        {
            _settings = stage._settings;
            _emitBatches = stage._emitBatches;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _batch = _emitBatches ? new List<CommittableOffset>(Math.Min(_settings.MaxBatch, 4096)) : null;
            SetHandler(_in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
            SetHandler(_out, onPull: PullIfAllowed, onDownstreamFinish: OnDownstreamFinish);
        }

        /// <summary>The stage's outcome (the materialized value).</summary>
        public TaskCompletionSource<Done> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void PostStop() => Completion.TrySetException(new AbruptStageTerminationException(this));

        public override void PreStart()
        {
            _onCommitted = GetAsyncCallback<CommitOutcome>(OnCommitted);
            Pull(_in);
        }

        private void OnPush()
        {
            try
            {
                Take(Grab(_in));
            }
#pragma warning disable CA1031 // The stage fails with the error, and so does its materialized task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(ex);
            }
        }

        private void Take(T committable)
        {
            switch ((object?)committable)
            {
                case CommittableOffset offset:
                    Observe(offset);
                    break;
                case CommittableOffsetBatch batch:
                    foreach (var offset in batch.Items)
                    {
                        Observe(offset);
                    }

                    break;
                case null:
                    throw new ArgumentNullException(nameof(committable), "A null committable reached the committer.");
                default:
                    throw new ArgumentException(
                        $"The committer accepts only offsets emitted by Pipelines' Kafka sources (or batches of them); got {committable.GetType().FullName}.",
                        nameof(committable));
            }

            if (_count >= _settings.MaxBatch)
            {
                CommitBatch();
            }
            else if (_count > 0 && !IsTimerActive(TimerKey))
            {
                ScheduleOnce(TimerKey, _settings.MaxInterval);
            }

            PullIfAllowed();
        }

        private void OnUpstreamFinish()
        {
            _upstreamDone = true;
            FlushDeferred();
            CommitBatch();
            CompleteIfDone();
        }

        private void OnUpstreamFailure(Exception cause)
        {
            // Everything received so far is processed: commit it before the failure goes on.
            _upstreamDone = true;
            _upstreamFailure = cause;
            FlushDeferred();
            CommitBatch();
            CompleteIfDone();
        }

        private void OnDownstreamFinish(Exception cause)
        {
            FlushDeferred();
            CommitBatch();
            CancelStage(cause);
        }

        protected override void OnTimer(object timerKey)
        {
            CommitBatch();
            PullIfAllowed();
        }

        private void Observe(CommittableOffset offset)
        {
            if (_settings.When == CommitWhen.NextOffsetObserved)
            {
                // An offset counts as processed once a later offset of its partition shows up (several elements may
                // carry the same offset, e.g. one consumed record producing many messages).
                _deferred ??= new Dictionary<PartitionState, CommittableOffset>(ReferenceEqualityComparer.Instance);
                if (_deferred.TryGetValue(offset.Partition, out var previous))
                {
                    if (offset.Epoch == previous.Epoch && offset.Sequence == previous.Sequence)
                    {
                        return;
                    }

                    if (offset.Epoch != previous.Epoch || offset.Sequence > previous.Sequence)
                    {
                        previous.MarkProcessed();
                        _deferred[offset.Partition] = offset;
                    }
                    else
                    {
                        offset.MarkProcessed();
                    }
                }
                else
                {
                    _deferred[offset.Partition] = offset;
                }
            }
            else
            {
                offset.MarkProcessed();
            }

            var committer = offset.Committer;
            if (!ReferenceEquals(committer, _lastCommitter))
            {
                _lastCommitter = committer;
                if (!_committers.Contains(committer))
                {
                    _committers.Add(committer);
                }
            }

            _count++;
            _batch?.Add(offset);
        }

        private void FlushDeferred()
        {
            if (_deferred is null)
            {
                return;
            }

            foreach (var offset in _deferred.Values)
            {
                offset.MarkProcessed();
            }

            _deferred.Clear();
        }

        private void CommitBatch()
        {
            CancelTimer(TimerKey);
            if (_count == 0)
            {
                return;
            }

            var batch = _emitBatches ? new CommittableOffsetBatch([.. _batch!]) : null;
            _batch?.Clear();
            _count = 0;
            var commit = _committers.Count == 1
                ? _committers[0].CommitAsync(CancellationToken.None)
                : Task.WhenAll(_committers.Select(c => c.CommitAsync(CancellationToken.None)));
            _committers.Clear();
            _lastCommitter = null;

            if (_settings.Delivery == CommitDelivery.SendAndForget)
            {
                var log = Log;
                _ = commit.ContinueWith(
                    t => log.Warning(t.Exception!.GetBaseException(), "A commit sent without waiting (SendAndForget) failed; the records will be read again after a restart"),
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                if (batch is not null && !IsClosed(_out))
                {
                    EmitBatch(batch);
                }

                return;
            }

            _inFlight++;
            var callback = _onCommitted!;
            commit.ContinueWith(
                t => callback(new CommitOutcome(batch, t.Exception?.GetBaseException())),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnCommitted(CommitOutcome outcome)
        {
            _inFlight--;
            if (outcome.Failure is not null)
            {
                if (_upstreamFailure is null)
                {
                    Fail(outcome.Failure);
                    return;
                }

                // Upstream failed first and its failure is the stream's; the commit's failure (often the consumer having
                // closed since its source stopped) must not hide it, so it is logged.
                Log.Warning(outcome.Failure, "The commit after upstream failed did not succeed; the stream fails with upstream's failure");
            }

            if (outcome.Batch is not null && !IsClosed(_out))
            {
                EmitBatch(outcome.Batch);
            }

            CompleteIfDone();
            PullIfAllowed();
        }

        private void EmitBatch(CommittableOffsetBatch batch)
        {
            // A batch waiting for downstream holds back the pulls, so batches never pile up beyond one.
            _emitting++;
            Emit(_out, batch, () =>
            {
                _emitting--;
                CompleteIfDone();
                PullIfAllowed();
            });
        }

        private void PullIfAllowed()
        {
            if (_upstreamDone || _inFlight >= _settings.Parallelism || _emitting > 0)
            {
                return;
            }

            if (!HasBeenPulled(_in) && !IsClosed(_in))
            {
                Pull(_in);
            }
        }

        private void Fail(Exception failure)
        {
            Completion.TrySetException(failure);
            FailStage(failure);
        }

        private void CompleteIfDone()
        {
            if (!_upstreamDone || _inFlight > 0 || _count > 0 || _emitting > 0)
            {
                return;
            }

            if (_upstreamFailure is not null)
            {
                Fail(_upstreamFailure);
            }
            else
            {
                Completion.TrySetResult(Done.Instance);
                CompleteStage();
            }
        }
    }

    private sealed record CommitOutcome(CommittableOffsetBatch? Batch, Exception? Failure);
}
