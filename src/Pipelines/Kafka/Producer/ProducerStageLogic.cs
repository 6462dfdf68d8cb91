using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Kafka.Native;
using Pipelines.Streams;
using Pipelines.Streams.Implementation;
using Pipelines.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// The running part shared by the producer sink and flow: sends records with <see cref="IProducer{TKey, TValue}.Produce(string, Message{TKey, TValue}, Action{DeliveryReport{TKey, TValue}})"/>,
/// keeps at most <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> records unacknowledged, and hands each envelope's
/// outcome to the subclass in input order once all of its records are acknowledged.
/// </summary>
/// <remarks>
/// <para>
/// Envelopes occupy the slots of a ring in arrival order; a slot is freed when its result has been handed on (emitted, or
/// dropped by the sink), so results leave in input order however the deliveries complete. Each slot owns one delivery
/// handler per record position, created once and reused, so a record in flight costs no allocation of ours.
/// </para>
/// <para>
/// Delivery reports arrive on the client's thread. A handler only copies the outcome (partition, offset, timestamp, error)
/// into its slot and lets the report go, so reports die young where the client allocated them; the first report after
/// the island last looked schedules one <see cref="OnDeliveries"/> callback, which processes every report that has arrived
/// by then (many reports, one mailbox event). A failed report also bumps a failure counter, so a failure is acted on as soon
/// as it arrives, not when its slot reaches the head of the ring. The two counters the handlers write sit on cache lines of
/// their own, and the island never reads a counter per record: the bound on records in flight is kept by the island alone,
/// from the records held by occupied slots.
/// </para>
/// <para>
/// A failure (reported, or thrown by <c>Produce</c>: serialization, oversized record) becomes a
/// <see cref="KafkaProduceException{TKey, TValue}"/> and goes to the supervision decider: Stop (the default) fails the
/// stage; Resume and Restart drop the envelope's result and carry on. Upstream completion waits for every outstanding
/// delivery, at most <see cref="ProducerSettings{TKey, TValue}.FlushTimeout"/>. An owned producer is flushed (within
/// <see cref="ProducerSettings{TKey, TValue}.CloseTimeout"/>) and disposed off the island after the stage stops; a shared
/// one is left alone.
/// </para>
/// </remarks>
internal abstract class ProducerStageLogic<TIn, TKey, TValue, TPassThrough> : GraphStageLogic
{
    // Envelopes taken per push while upstream answers pulls synchronously, before yielding to the interpreter.
    private const int SyncBatch = 128;

    // Slots of a new ring; it doubles while more envelopes are in flight, up to the parallelism.
    private const int InitialSlots = 256;

    // librdkafka's queue is full when a shared producer is busy, or parallelism exceeds queue.buffering.max.messages.
    private static readonly TimeSpan QueueFullRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly object FlushTimeoutTimer = new();
    private static readonly object QueueFullTimer = new();

    private readonly ProducerSettings<TKey, TValue> _settings;
    private readonly IProducer<TKey, TValue>? _sharedProducer;
    private readonly Inlet<TIn> _in;
    // Grows on demand up to the parallelism: a large parallelism is a bound, not a working set, and a ring sized for it
    // up front would be a large-object allocation per materialization, later scanned by every collection.
    private Slot?[] _slots;
    private readonly int _parallelism;

    private IProducer<TKey, TValue>? _producer;
    private StageCallback _deliveriesCallback = null!;
    private Task? _flushTask;
    private int _head;
    private int _occupied;
    private Slot? _sending;
    private TopicPartition? _anyPartition;
    private int _recordsInSlots;
    private int _failuresSeen;
    private bool _upstreamFinished;
    private bool _queueFullWaiting;
    private bool _finished;

    // Written by delivery handlers on the client's thread.
    private PaddedInt _failureSignals;
    private PaddedInt _drainScheduled;

    protected ProducerStageLogic(Shape shape, Inlet<TIn> inlet, ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
        : base(shape)
    {
        _in = inlet;
        _settings = settings;
        _sharedProducer = sharedProducer;
        _parallelism = settings.Parallelism;
        _slots = new Slot?[Math.Min(_parallelism, InitialSlots)];
    }

    protected internal override void PreStart()
    {
        // Error texts come from librdkafka, even when a shared producer is not a librdkafka client.
        Librdkafka.EnsureLoaded();
        _deliveriesCallback = GetAsyncCallback(OnDeliveries);
        if (_sharedProducer is not null)
        {
            _producer = _sharedProducer;
        }
        else
        {
            var fatal = GetAsyncCallback<Error>(OnFatalError);
            _producer = ProducerFactory.Create(_settings, Log, fatal.Invoke);
        }

        Pull(_in);
    }

    protected internal override void PostStop()
    {
        if (_sharedProducer is null && _producer is { } producer)
        {
            // Flushing and disposing block; they run off the island so other stages keep going meanwhile.
            var flush = _flushTask;
            _ = Task.Run(() => CloseAsync(producer, flush));
        }
    }

    /// <summary>
    /// Handles a push: takes the element, then keeps pulling synchronously and taking while upstream answers at once and a
    /// slot is free (many elements per engine event), and finally processes whatever can progress.
    /// </summary>
    protected void OnElementPushed()
    {
        var element = Grab(_in);
        for (var budget = SyncBatch; ; budget--)
        {
            Take(element);
            if (budget == 1 || !CanTakeMore() || !PullSync(_in, out element))
            {
                // When PullSync returned false the inlet is pulled (or closed) already, so Pump does not pull again.
                break;
            }
        }

        Pump();
    }

    /// <summary>Takes one element from upstream: calls <see cref="Accept"/>, <see cref="AcceptMulti"/> or <see cref="AcceptPassThrough"/>.</summary>
    private protected abstract void Take(TIn element);

    /// <summary>Takes an envelope of one record and sends it if the parallelism allows.</summary>
    protected void Accept(ProducerRecord<TKey, TValue> record, TPassThrough passThrough)
    {
        ArgumentNullException.ThrowIfNull(record);
        var slot = Admit(SlotKind.Single, 1, passThrough);
        slot.Single = record;
        SendPending();
    }

    /// <summary>Takes an envelope of several records and sends what the parallelism allows.</summary>
    protected void AcceptMulti(IReadOnlyList<ProducerRecord<TKey, TValue>> records, TPassThrough passThrough)
    {
        var slot = Admit(SlotKind.Multi, records.Count, passThrough);
        slot.Multi = records;
        SendPending();
    }

    /// <summary>Takes an envelope without records.</summary>
    protected void AcceptPassThrough(TPassThrough passThrough) => Admit(SlotKind.PassThrough, 0, passThrough);

    /// <summary>
    /// Hands on the outcome of the envelope at the head of the ring (all of its records acknowledged); returns
    /// <see langword="false"/> when it cannot yet (downstream has not pulled), in which case <see cref="Pump"/> is called again later.
    /// </summary>
    private protected abstract bool TryEmit(SlotView slot);

    /// <summary>Ends the stage normally: upstream completed and every envelope was handed on.</summary>
    protected virtual void Finish() => CompleteStage();

    /// <summary>Processes whatever can progress: failures, finished envelopes, records waiting to be sent, demand, completion.</summary>
    protected void Pump()
    {
        if (_finished || IsStopped)
        {
            return;
        }

        var failures = Volatile.Read(ref _failureSignals.Value);
        if (failures != _failuresSeen)
        {
            _failuresSeen = failures;
            if (!HandleReportedFailures())
            {
                return;
            }
        }

        if (!SendPending() || !EmitFinished())
        {
            return;
        }

        if (HasRoom() && !_upstreamFinished && !IsClosed(_in) && !HasBeenPulled(_in))
        {
            Pull(_in);
        }

        if (_upstreamFinished && _occupied == 0)
        {
            _finished = true;
            Finish();
        }
    }

    /// <summary>Whether another envelope may be admitted: nothing waits to be sent, a slot is free and the parallelism allows.</summary>
    private bool HasRoom() => _sending is null && _occupied < _parallelism && _recordsInSlots < _parallelism;

    /// <summary>Whether the push handler may pull the next element synchronously (it has just grabbed one, so the inlet is not pulled).</summary>
    private bool CanTakeMore() => !_finished && !IsStopped && HasRoom() && !IsClosed(_in);

    protected void OnUpstreamFinished()
    {
        _upstreamFinished = true;
        if (_occupied > 0)
        {
            // The inlet is closed now; the stage stays alive until the outstanding deliveries are in.
            SetKeepGoing(true);
            ScheduleOnce(FlushTimeoutTimer, _settings.FlushTimeout);
            if (_sharedProducer is null)
            {
                // Flushing makes librdkafka send what it holds back for linger.ms at once; it blocks, so not on the island.
                var producer = _producer!;
                var timeout = _settings.FlushTimeout;
                _flushTask = Task.Run(() => producer.Flush(timeout));
            }
        }

        Pump();
    }

    protected override void OnResume(Exception cause) => Pump();

    protected override void OnTimer(object timerKey)
    {
        if (ReferenceEquals(timerKey, QueueFullTimer))
        {
            _queueFullWaiting = false;
            Pump();
            return;
        }

        var outstanding = ReferenceEquals(timerKey, FlushTimeoutTimer) ? Unacknowledged() : 0;
        if (outstanding > 0)
        {
            FailProducer(new TimeoutException(
                $"{outstanding} record(s) were still not acknowledged {_settings.FlushTimeout} (flush-timeout) after upstream completed; "
                + "check that the brokers are reachable, or raise akka.kafka.producer.flush-timeout."));
        }
    }

    /// <summary>Doubles the full ring (at most to the parallelism), keeping the envelopes in arrival order from index 0.</summary>
    private void Grow()
    {
        var bigger = new Slot?[Math.Min(_parallelism, _slots.Length * 2)];
        for (var i = 0; i < _occupied; i++)
        {
            var index = _head + i;
            bigger[i] = _slots[index >= _slots.Length ? index - _slots.Length : index];
        }

        _slots = bigger;
        _head = 0;
    }

    private Slot Admit(SlotKind kind, int count, TPassThrough passThrough)
    {
        Debug.Assert(_occupied < _parallelism && _sending is null, "an envelope arrives only when a slot is free");
        if (_occupied == _slots.Length)
        {
            Grow();
        }

        var index = _head + _occupied;
        if (index >= _slots.Length)
        {
            index -= _slots.Length;
        }

        var slot = _slots[index] ??= new Slot(this);
        slot.Reset(kind, count, passThrough);
        _occupied++;
        if (count > 0)
        {
            _sending = slot;
        }

        return slot;
    }

    /// <summary>Sends the records of the envelope being sent while the parallelism allows; false when the stage failed.</summary>
    private bool SendPending()
    {
        var producer = _producer!;
        while (_sending is { } slot)
        {
            if (_queueFullWaiting || _recordsInSlots - slot.ReportedCount() >= _parallelism)
            {
                // Records of finished envelopes waiting for the head count too: a conservative bound that needs no counter
                // shared with the client's thread. The envelope being sent discounts its own acknowledged records, so an
                // envelope with more records than the parallelism still makes progress.
                return true;
            }

            var position = slot.Sent;
            var record = slot.Record(position);
            try
            {
                producer.Produce(record.TopicPartition ?? AnyPartitionOf(record.Topic), record, slot.Handler(position));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                ProducerLog.QueueFull(Log, ToString(), QueueFullRetryDelay);
                _queueFullWaiting = true;
                ScheduleOnce(QueueFullTimer, QueueFullRetryDelay);
                return true;
            }
            catch (Exception ex)
            {
                // Nothing was sent for this record, and the rest of its envelope is not sent either.
                _sending = null;
                slot.AbandonUnsent();
                if (!HandleFailure(slot, SendFailure(ex, record)))
                {
                    return false;
                }

                continue;
            }

            _recordsInSlots++;
            slot.Sent = position + 1;
            if (slot.Sent == slot.Count)
            {
                _sending = null;
            }
        }

        return true;
    }

    /// <summary>
    /// The destination "any partition of <paramref name="topic"/>", kept for the last topic seen: Confluent's
    /// <c>Produce(string, …)</c> would allocate it for every record.
    /// </summary>
    private TopicPartition AnyPartitionOf(string topic)
    {
        if (_anyPartition is not { } destination || !string.Equals(destination.Topic, topic, StringComparison.Ordinal))
        {
            _anyPartition = destination = new TopicPartition(topic, Partition.Any);
        }

        return destination;
    }

    /// <summary>Hands on every finished envelope at the head of the ring; false when the stage failed.</summary>
    private bool EmitFinished()
    {
        while (_occupied > 0)
        {
            var slot = _slots[_head]!;
            if (ReferenceEquals(slot, _sending) || !slot.IsComplete)
            {
                return true;
            }

            if (!slot.Handled && !CheckReports(slot))
            {
                return false;
            }

            if (!slot.Dropped && !TryEmit(new SlotView(slot)))
            {
                return true;
            }

            _recordsInSlots -= slot.Sent;
            slot.Clear();
            _occupied--;
            if (++_head == _slots.Length)
            {
                _head = 0;
            }
        }

        return true;
    }

    /// <summary>Looks for failed reports in every occupied slot (a failure was signalled); false when the stage failed.</summary>
    private bool HandleReportedFailures()
    {
        var index = _head;
        for (var i = 0; i < _occupied; i++)
        {
            var slot = _slots[index]!;
            if (!slot.Handled && !CheckReports(slot))
            {
                return false;
            }

            if (++index == _slots.Length)
            {
                index = 0;
            }
        }

        return true;
    }

    /// <summary>Handles the first failed report of <paramref name="slot"/>, if any; false when the stage failed.</summary>
    private bool CheckReports(Slot slot)
    {
        for (var i = 0; i < slot.Sent; i++)
        {
            if (slot.Failure(i) is { } error)
            {
                return HandleFailure(slot, new KafkaProduceException<TKey, TValue>(error, slot.Record(i), new Partition(slot.Metadata(i).Partition)));
            }
        }

        return true;
    }

    /// <summary>Asks the decider about a failed record; false when the stage failed.</summary>
    private bool HandleFailure(Slot slot, Exception failure)
    {
        slot.Handled = true;
        switch (Decide(failure))
        {
            case Directive.Resume:
            case Directive.Restart:
                slot.Dropped = true;
                ProducerLog.EnvelopeDropped(Log, ToString(), failure.Message);
                return true;
            default:
                FailProducer(failure);
                return false;
        }
    }

    private static Exception SendFailure(Exception thrown, ProducerRecord<TKey, TValue> record)
    {
        if (thrown is not KafkaException kafka)
        {
            return thrown;
        }

        // Confluent wraps a serializer's exception; the serializer's own exception is the useful cause.
        var cause = kafka.Error.Code is ErrorCode.Local_KeySerialization or ErrorCode.Local_ValueSerialization && kafka.InnerException is { } inner
            ? inner
            : thrown;
        return new KafkaProduceException<TKey, TValue>(kafka.Error, record, record.Partition, cause);
    }

    private void FailProducer(Exception failure)
    {
        _finished = true;
        FailStage(failure);
    }

    private void OnDeliveries()
    {
        // A full fence: the reads of the slots that follow must not move before the flag is cleared, or a report
        // published meanwhile could find the flag still set and schedule nothing (a lost wake-up).
        Interlocked.Exchange(ref _drainScheduled.Value, 0);
        Pump();
    }

    /// <summary>The records sent and not reported yet (an O(occupied slots) scan, for the rare paths that report it).</summary>
    private int Unacknowledged()
    {
        var count = _sending is { } sending ? sending.Count - sending.Sent : 0;
        var index = _head;
        for (var i = 0; i < _occupied; i++)
        {
            count += _slots[index]!.Sent - _slots[index]!.ReportedCount();
            if (++index == _slots.Length)
            {
                index = 0;
            }
        }

        return count;
    }

    private void OnFatalError(Error error) =>
        FailProducer(new KafkaException(new Error(
            error.Code,
            $"The Kafka producer failed fatally and cannot produce any more: {error.Reason}. Restart the stream to create a new producer.",
            isFatal: true)));

    // Runs on the client's thread.
    private void OnDelivered(Slot slot, int position, DeliveryReport<TKey, TValue> report)
    {
        slot.Publish(position, report);
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failureSignals.Value);
        }

        // Publish is a full fence, so this read cannot see a flag the island cleared before looking at the slot. Reading
        // first keeps the common case (a drain already scheduled) free of a second interlocked operation.
        if (Volatile.Read(ref _drainScheduled.Value) == 0 && Interlocked.Exchange(ref _drainScheduled.Value, 1) == 0)
        {
            _deliveriesCallback.Invoke();
        }
    }

    private async Task CloseAsync(IProducer<TKey, TValue> producer, Task? flush)
    {
        try
        {
            if (flush is not null)
            {
                await flush.ConfigureAwait(false);
            }

            var outstanding = producer.Flush(_settings.CloseTimeout);
            if (outstanding > 0)
            {
                ProducerLog.SlowClose(Log, producer.Name, _settings.CloseTimeout, outstanding);
            }

            producer.Dispose();
        }
        catch (Exception ex)
        {
            // The stage has stopped, so there is no stream left to fail; the log is the only place this can go.
            ProducerLog.CloseFailed(Log, producer.Name, ex);
        }
    }

    internal enum SlotKind
    {
        Single,
        Multi,
        PassThrough,
    }

    /// <summary>A finished envelope as the subclass sees it when emitting its result.</summary>
    internal readonly struct SlotView
    {
        private readonly Slot _slot;

        internal SlotView(Slot slot) => _slot = slot;

        public SlotKind Kind => _slot.Kind;

        public TPassThrough PassThrough => _slot.PassThrough;

        public int Count => _slot.Count;

        public ProducerRecord<TKey, TValue> Record(int position) => _slot.Record(position);

        public RecordMetadata Metadata(int position) => _slot.Metadata(position);
    }

    /// <summary>One envelope in flight; reused for later envelopes once its result was handed on.</summary>
    /// <remarks>
    /// The first record's handler is bound to the slot itself and its outcome is stored in the slot, so a single-record
    /// envelope touches no object but the slot (no closure, no per-slot arrays), on the island and on the client's thread
    /// alike. Outcomes hold no references on success (the topic is the record's), so storing one needs no GC write barrier.
    /// </remarks>
    internal sealed class Slot
    {
        private readonly ProducerStageLogic<TIn, TKey, TValue, TPassThrough> _owner;
        private readonly Action<DeliveryReport<TKey, TValue>> _firstHandler;
        private Action<DeliveryReport<TKey, TValue>>?[] _moreHandlers = [];

        // Written by delivery handlers on the client's thread: one outcome per record position (the first in the slot,
        // the others in an array used by multi-record envelopes only), and the count of records not reported yet
        // (including those not sent yet).
        private Outcome _first;
        private Outcome[] _more = [];
        private int _remaining;

        public Slot(ProducerStageLogic<TIn, TKey, TValue, TPassThrough> owner)
        {
            _owner = owner;
            _firstHandler = OnFirstDelivered;
        }

        public SlotKind Kind { get; private set; }

        public ProducerRecord<TKey, TValue>? Single { get; set; }

        public IReadOnlyList<ProducerRecord<TKey, TValue>>? Multi { get; set; }

        public TPassThrough PassThrough { get; private set; } = default!;

        public int Count { get; private set; }

        /// <summary>The records handed to the client (positions 0 to Sent - 1).</summary>
        public int Sent { get; set; }

        /// <summary>Whether a send threw: the records from <see cref="Sent"/> on will never be sent.</summary>
        public bool SendFailed { get; private set; }

        /// <summary>Whether a failure of this envelope was already put to the decider (once per envelope).</summary>
        public bool Handled { get; set; }

        /// <summary>Whether the decider resumed after a failure: the envelope's result is dropped.</summary>
        public bool Dropped { get; set; }

        /// <summary>Whether every record that was sent has been reported and nothing is left to send.</summary>
        public bool IsComplete => Volatile.Read(ref _remaining) == 0;

        public ProducerRecord<TKey, TValue> Record(int position) => Kind == SlotKind.Single ? Single! : Multi![position];

        /// <summary>Where the record at <paramref name="position"/> was stored (once reported).</summary>
        public RecordMetadata Metadata(int position)
        {
            ref var outcome = ref OutcomeAt(position);
            return new RecordMetadata(Record(position).Topic, outcome.Partition, outcome.Offset, outcome.Timestamp);
        }

        /// <summary>The error of the record at <paramref name="position"/> if it was reported failed, otherwise null.</summary>
        public Error? Failure(int position) => Volatile.Read(ref OutcomeAt(position).Error);

        /// <summary>How many of the sent records were reported.</summary>
        public int ReportedCount() => Count - Volatile.Read(ref _remaining) - (SendFailed ? Count - Sent : 0);

        public Action<DeliveryReport<TKey, TValue>> Handler(int position)
        {
            if (position == 0)
            {
                return _firstHandler;
            }

            if (position > _moreHandlers.Length)
            {
                var grown = new Action<DeliveryReport<TKey, TValue>>?[Math.Max(position, _moreHandlers.Length * 2)];
                _moreHandlers.CopyTo(grown, 0);
                _moreHandlers = grown;
            }

            return _moreHandlers[position - 1] ??= CreateHandler(position);
        }

        /// <summary>Stores a report's outcome (client's thread); ends with a full fence, so the outcome is visible before anything the caller does next.</summary>
        public void Publish(int position, DeliveryReport<TKey, TValue> report)
        {
            ref var outcome = ref OutcomeAt(position);
            outcome.Partition = report.Partition.Value;
            outcome.Offset = report.Offset.Value;
            outcome.Timestamp = report.Timestamp;
            var error = report.Error;
            if (error.IsError)
            {
                Volatile.Write(ref outcome.Error, error);
            }

            Interlocked.Decrement(ref _remaining);
        }

        /// <summary>Gives up the records not sent yet after a send threw.</summary>
        public void AbandonUnsent()
        {
            SendFailed = true;
            Interlocked.Add(ref _remaining, -(Count - Sent));
        }

        public void Reset(SlotKind kind, int count, TPassThrough passThrough)
        {
            Kind = kind;
            Count = count;
            PassThrough = passThrough;
            Sent = 0;
            SendFailed = false;
            Handled = false;
            Dropped = false;
            if (_more.Length < count - 1)
            {
                _more = new Outcome[count - 1];
            }

            // The Produce calls that follow publish it to the client's thread; volatile makes that explicit.
            Volatile.Write(ref _remaining, count);
        }

        public void Clear()
        {
            // Only errors need clearing (they mark failed records); the other fields are written before they are read.
            if (_first.Error is not null)
            {
                _first.Error = null;
            }

            if (Count > 1)
            {
                Array.Clear(_more, 0, Count - 1);
            }

            Single = null;
            Multi = null;
            PassThrough = default!;
        }

        private ref Outcome OutcomeAt(int position) => ref position == 0 ? ref _first : ref _more[position - 1];

        private void OnFirstDelivered(DeliveryReport<TKey, TValue> report) => _owner.OnDelivered(this, 0, report);

        private Action<DeliveryReport<TKey, TValue>> CreateHandler(int position) => report => _owner.OnDelivered(this, position, report);

        private struct Outcome
        {
            public Error? Error;
            public long Offset;
            public Timestamp Timestamp;
            public int Partition;
        }
    }
}
