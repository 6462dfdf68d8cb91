using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Kafka.Native;
using Pipelines.Streams;
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
/// Delivery reports arrive on the client's thread. A handler only stores the report and counts it; the first report after
/// the island last looked schedules one <see cref="OnDeliveries"/> callback, which processes every report that has arrived
/// by then (many reports, one mailbox event). A failed report also bumps a failure counter, so a failure is acted on as soon
/// as it arrives, not when its slot reaches the head of the ring.
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
internal abstract class ProducerStageLogic<TKey, TValue, TPassThrough> : GraphStageLogic
{
    // librdkafka's queue is full when a shared producer is busy, or parallelism exceeds queue.buffering.max.messages.
    private static readonly TimeSpan QueueFullRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly object FlushTimeoutTimer = new();
    private static readonly object QueueFullTimer = new();

    private readonly ProducerSettings<TKey, TValue> _settings;
    private readonly IProducer<TKey, TValue>? _sharedProducer;
    private readonly Inlet _in;
    private readonly Slot?[] _slots;
    private readonly int _parallelism;

    private IProducer<TKey, TValue>? _producer;
    private StageCallback _deliveriesCallback = null!;
    private Task? _flushTask;
    private int _head;
    private int _occupied;
    private Slot? _sending;
    private int _sent;
    private int _failuresSeen;
    private bool _upstreamFinished;
    private bool _finished;

    // Written by delivery handlers on the client's thread.
    private int _reported;
    private int _failureSignals;
    private int _drainScheduled;

    protected ProducerStageLogic(Shape shape, Inlet inlet, ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
        : base(shape)
    {
        _in = inlet;
        _settings = settings;
        _sharedProducer = sharedProducer;
        _parallelism = settings.Parallelism;
        _slots = new Slot?[_parallelism];
    }

    /// <summary>Records sent and not yet reported.</summary>
    private int InFlight => unchecked(_sent - Volatile.Read(ref _reported));

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

    /// <summary>Takes an envelope of one record; the caller has grabbed it from the inlet.</summary>
    protected void Accept(ProducerRecord<TKey, TValue> record, TPassThrough passThrough)
    {
        ArgumentNullException.ThrowIfNull(record);
        var slot = Admit(SlotKind.Single, 1, passThrough);
        slot.Single = record;
        Pump();
    }

    /// <summary>Takes an envelope of several records.</summary>
    protected void AcceptMulti(IReadOnlyList<ProducerRecord<TKey, TValue>> records, TPassThrough passThrough)
    {
        var slot = Admit(SlotKind.Multi, records.Count, passThrough);
        slot.Multi = records;
        Pump();
    }

    /// <summary>Takes an envelope without records.</summary>
    protected void AcceptPassThrough(TPassThrough passThrough)
    {
        Admit(SlotKind.PassThrough, 0, passThrough);
        Pump();
    }

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

        var failures = Volatile.Read(ref _failureSignals);
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

        if (_sending is null && _occupied < _slots.Length && InFlight < _parallelism && !_upstreamFinished && !IsClosed(_in) && !HasBeenPulled(_in))
        {
            Pull(_in);
        }

        if (_upstreamFinished && _occupied == 0)
        {
            _finished = true;
            Finish();
        }
    }

    protected void OnUpstreamFinished()
    {
        _upstreamFinished = true;
        if (_occupied > 0)
        {
            // The inlet is closed now; the stage stays alive until the outstanding deliveries are in.
            SetKeepGoing(true);
            ScheduleOnce(FlushTimeoutTimer, _settings.FlushTimeout);
            if (_sharedProducer is null && InFlight > 0)
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
            Pump();
            return;
        }

        if (ReferenceEquals(timerKey, FlushTimeoutTimer) && (InFlight > 0 || _sending is not null))
        {
            var outstanding = InFlight + (_sending is { } s ? s.Count - s.Sent : 0);
            FailProducer(new TimeoutException(
                $"{outstanding} record(s) were still not acknowledged {_settings.FlushTimeout} (flush-timeout) after upstream completed; "
                + "check that the brokers are reachable, or raise akka.kafka.producer.flush-timeout."));
        }
    }

    private Slot Admit(SlotKind kind, int count, TPassThrough passThrough)
    {
        Debug.Assert(_occupied < _slots.Length && _sending is null, "an envelope arrives only when a slot is free");
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
            if (InFlight >= _parallelism || IsTimerActive(QueueFullTimer))
            {
                return true;
            }

            var position = slot.Sent;
            var record = slot.Record(position);
            try
            {
                if (record.TopicPartition is { } destination)
                {
                    producer.Produce(destination, record, slot.Handler(position));
                }
                else
                {
                    producer.Produce(record.Topic, record, slot.Handler(position));
                }
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                ProducerLog.QueueFull(Log, ToString(), QueueFullRetryDelay);
                ScheduleOnce(QueueFullTimer, QueueFullRetryDelay);
                return true;
            }
            catch (Exception ex)
            {
                // Nothing was sent for this record, and the rest of its envelope is not sent either.
                var unsent = slot.Count - position;
                slot.Sent = slot.Count;
                _sending = null;
                Interlocked.Add(ref slot.Remaining, -unsent);
                if (!HandleFailure(slot, position, SendFailure(ex, record)))
                {
                    return false;
                }

                continue;
            }

            _sent++;
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
            if (slot.Sent < slot.Count || Volatile.Read(ref slot.Remaining) != 0)
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
        var reports = slot.Reports;
        for (var i = 0; i < slot.Sent; i++)
        {
            var report = Volatile.Read(ref reports[i]);
            if (report is { Error.IsError: true })
            {
                var record = slot.Record(i);
                return HandleFailure(slot, i, new KafkaProduceException<TKey, TValue>(report.Error, record, report.Partition));
            }
        }

        return true;
    }

    /// <summary>Asks the decider about a failed record; false when the stage failed.</summary>
    private bool HandleFailure(Slot slot, int position, Exception failure)
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
        Volatile.Write(ref _drainScheduled, 0);
        Pump();
    }

    private void OnFatalError(Error error) =>
        FailProducer(new KafkaException(new Error(
            error.Code,
            $"The Kafka producer failed fatally and cannot produce any more: {error.Reason}. Restart the stream to create a new producer.",
            isFatal: true)));

    // Runs on the client's thread.
    private void OnDelivered(Slot slot, int position, DeliveryReport<TKey, TValue> report)
    {
        Volatile.Write(ref slot.Reports[position], report);
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failureSignals);
        }

        Interlocked.Decrement(ref slot.Remaining);
        Interlocked.Increment(ref _reported);
        if (Interlocked.Exchange(ref _drainScheduled, 1) == 0)
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

        public DeliveryReport<TKey, TValue> Report(int position) => _slot.Reports[position]!;
    }

    /// <summary>One envelope in flight; reused for later envelopes once its result was handed on.</summary>
    internal sealed class Slot
    {
        private readonly ProducerStageLogic<TKey, TValue, TPassThrough> _owner;
        private Action<DeliveryReport<TKey, TValue>>[] _handlers = [];

        // Written by delivery handlers on the client's thread: one report per record position, and the count of records
        // not reported yet (including those not sent yet).
        public DeliveryReport<TKey, TValue>?[] Reports = new DeliveryReport<TKey, TValue>?[1];
        public int Remaining;

        public Slot(ProducerStageLogic<TKey, TValue, TPassThrough> owner) => _owner = owner;

        public SlotKind Kind { get; private set; }

        public ProducerRecord<TKey, TValue>? Single { get; set; }

        public IReadOnlyList<ProducerRecord<TKey, TValue>>? Multi { get; set; }

        public TPassThrough PassThrough { get; private set; } = default!;

        public int Count { get; private set; }

        public int Sent { get; set; }

        /// <summary>Whether a failure of this envelope was already put to the decider (once per envelope).</summary>
        public bool Handled { get; set; }

        /// <summary>Whether the decider resumed after a failure: the envelope's result is dropped.</summary>
        public bool Dropped { get; set; }

        public ProducerRecord<TKey, TValue> Record(int position) => Kind == SlotKind.Single ? Single! : Multi![position];

        public Action<DeliveryReport<TKey, TValue>> Handler(int position)
        {
            if (position >= _handlers.Length)
            {
                var grown = new Action<DeliveryReport<TKey, TValue>>[Math.Max(position + 1, _handlers.Length * 2)];
                _handlers.CopyTo(grown, 0);
                _handlers = grown;
            }

            return _handlers[position] ??= CreateHandler(position);
        }

        public void Reset(SlotKind kind, int count, TPassThrough passThrough)
        {
            Kind = kind;
            Count = count;
            PassThrough = passThrough;
            Sent = 0;
            Handled = false;
            Dropped = false;
            if (Reports.Length < count)
            {
                Reports = new DeliveryReport<TKey, TValue>?[count];
            }

            // The Produce calls that follow publish it to the client's thread; volatile makes that explicit.
            Volatile.Write(ref Remaining, count);
        }

        public void Clear()
        {
            Array.Clear(Reports, 0, Math.Min(Count, Reports.Length));
            Single = null;
            Multi = null;
            PassThrough = default!;
        }

        private Action<DeliveryReport<TKey, TValue>> CreateHandler(int position) => report => _owner.OnDelivered(this, position, report);
    }
}
