using System.Diagnostics;
using Akka.Streams;
using Confluent.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// The producer flow's running part: keeps at most <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> records
/// unacknowledged and hands each envelope's outcome to the subclass in input order once all of its records are
/// acknowledged.
/// </summary>
/// <remarks>
/// <para>
/// Envelopes occupy the slots of a ring in arrival order; a slot is freed when its result has been handed on, so results
/// leave in input order however the deliveries complete. Each slot owns one delivery handler per record position, created
/// once and reused, so a record in flight costs no allocation of ours. The parallelism counts the records of every
/// occupied slot, finished or not, as <c>SelectAsync</c> counts results waiting for their turn.
/// </para>
/// <para>
/// Delivery reports arrive on the client's thread. A handler only copies the outcome (partition, offset, timestamp, error)
/// into its slot and lets the report go, so reports die young where the client allocated them; the first report after
/// the stage last looked schedules one callback, which processes every report that has arrived by then (many reports,
/// one async callback). A failed report also bumps a failure counter, so a failure is acted on as soon
/// as it arrives, not when its slot reaches the head of the ring. The two counters the handlers write sit on cache lines of
/// their own, and the stage never reads a counter per record: the bound on records in flight is kept by the stage alone,
/// from the records held by occupied slots.
/// </para>
/// <para>
/// A failure (reported, or thrown by <c>Produce</c>: serialization, oversized record) becomes a
/// <see cref="KafkaProduceException{TKey, TValue}"/> and goes to the supervision decider: Stop (the default) fails the
/// stage; Resume and Restart drop the envelope's result and carry on.
/// </para>
/// </remarks>
internal abstract class InOrderProducerStageLogic<TIn, TKey, TValue, TPassThrough> : ProducerStageLogic<TIn, TKey, TValue>
{
    // Slots of a new ring; it doubles while more envelopes are in flight, up to the parallelism.
    private const int InitialSlots = 256;

    // Grows on demand up to the parallelism: a large parallelism is a bound, not a working set, and a ring sized for it
    // up front would be a large-object allocation per materialization, later scanned by every collection.
    private Slot?[] _slots;

    private int _head;
    private int _occupied;
    private Slot? _sending;
    private int _recordsInSlots;
    private int _failuresSeen;

    // Written by delivery handlers on the client's thread.
    private PaddedInt _failureSignals;

    protected InOrderProducerStageLogic(
        Shape shape, Inlet<TIn> inlet, ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer, Attributes inheritedAttributes)
        : base(shape, inlet, settings, sharedProducer, inheritedAttributes)
    {
        _slots = new Slot?[Math.Min(Parallelism, InitialSlots)];
    }

    /// <inheritdoc />
    protected override bool HasRoom => _sending is null && _occupied < Parallelism && _recordsInSlots < Parallelism;

    /// <inheritdoc />
    protected override bool IsIdle => _occupied == 0;

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
    /// <see langword="false"/> when it cannot yet (downstream has not pulled), in which case <see cref="ProducerStageLogic{TIn, TKey, TValue}.Pump"/> is called again later.
    /// </summary>
    private protected abstract bool TryEmit(SlotView slot);

    /// <inheritdoc />
    private protected override bool Progress()
    {
        var failures = Volatile.Read(ref _failureSignals.Value);
        if (failures != _failuresSeen)
        {
            _failuresSeen = failures;
            if (!HandleReportedFailures())
            {
                return false;
            }
        }

        return SendPending() && EmitFinished();
    }

    /// <summary>Doubles the full ring (at most to the parallelism), keeping the envelopes in arrival order from index 0.</summary>
    private void Grow()
    {
        var bigger = new Slot?[Math.Min(Parallelism, _slots.Length * 2)];
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
        Debug.Assert(_occupied < Parallelism && _sending is null, "an envelope arrives only when a slot is free");
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
        while (_sending is { } slot)
        {
            if (QueueFullWaiting || _recordsInSlots - slot.ReportedCount() >= Parallelism)
            {
                // Records of finished envelopes waiting for the head count too: a conservative bound that needs no counter
                // shared with the client's thread. The envelope being sent discounts its own acknowledged records, so an
                // envelope with more records than the parallelism still makes progress.
                return true;
            }

            var position = slot.Sent;
            var record = slot.Record(position);
            switch (Send(record, slot.Handler(position), out var failure, ProducerTelemetry.PassThroughParent(record, slot.PassThrough)))
            {
                case SendOutcome.QueueFull:
                    return true;
                case SendOutcome.Failed:
                    // Nothing was sent for this record, and the rest of its envelope is not sent either.
                    _sending = null;
                    slot.AbandonUnsent();
                    if (!HandleFailure(slot, failure!))
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

    /// <summary>Asks the decider about a failed record of <paramref name="slot"/>; false when the stage failed.</summary>
    private bool HandleFailure(Slot slot, Exception failure)
    {
        slot.Handled = true;
        if (!ResumeAfter(failure))
        {
            return false;
        }

        slot.Dropped = true;
        return true;
    }

    /// <summary>The records sent and not reported yet (an O(occupied slots) scan, for the rare paths that report it).</summary>
    private protected override int Unacknowledged()
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

    // Runs on the client's thread.
    private void OnDelivered(Slot slot, int position, DeliveryReport<TKey, TValue> report)
    {
        Telemetry.Delivered(report);
        slot.Publish(position, report);
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failureSignals.Value);
        }

        // Publish ends with a full fence.
        ScheduleDeliveriesDrain();
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
    /// envelope touches no object but the slot (no closure, no per-slot arrays), on the stream's thread and on the client's thread
    /// alike. Outcomes hold no references on success (the topic is the record's), so storing one needs no GC write barrier.
    /// </remarks>
    internal sealed class Slot
    {
        private readonly InOrderProducerStageLogic<TIn, TKey, TValue, TPassThrough> _owner;
        private readonly Action<DeliveryReport<TKey, TValue>> _firstHandler;
        private Action<DeliveryReport<TKey, TValue>>?[] _moreHandlers = [];

        // Written by delivery handlers on the client's thread: one outcome per record position (the first in the slot,
        // the others in an array used by multi-record envelopes only), and the count of records not reported yet
        // (including those not sent yet).
        private Outcome _first;
        private Outcome[] _more = [];
        private int _remaining;

        public Slot(InOrderProducerStageLogic<TIn, TKey, TValue, TPassThrough> owner)
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
