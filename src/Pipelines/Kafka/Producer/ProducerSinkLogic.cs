using System.Collections.Concurrent;
using Akka.Streams;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// The producer sink's running part: sends records in input order, keeps at most
/// <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> of them unacknowledged, and completes its task once upstream
/// completed and every delivery was reported, or faults with the first failure the decider does not resume.
/// </summary>
/// <remarks>
/// <para>
/// A sink hands nothing on, so it does not need to know which record a report is for: one delivery handler serves every
/// record, and the stage keeps counts, not records. Records in flight are held by the client alone (as in a hand-written
/// produce loop), so the sink allocates nothing per record and keeps no record alive that the client does not, and a
/// record whose delivery is reported frees its place at once, whatever the records sent before it are waiting for.
/// </para>
/// <para>
/// On the client's thread a handler counts the report (a counter on a cache line of its own) and queues it if it failed.
/// It wakes the stage (one async callback, unless one is pending; the callback processes every report that has arrived by
/// then) only for a failure, or when the stage announced that it waits for reports: its parallelism is used up, or upstream
/// completed with records in flight. While records flow within the parallelism, reports cost the stage nothing, not even
/// an actor message. The stage reads the shared counter only when its last reading says the parallelism is used up, or to
/// complete.
/// </para>
/// <para>
/// A failed delivery is put to the supervision decider as a <see cref="KafkaProduceException{TKey, TValue}"/> whose
/// record is rebuilt from the delivery report: the same topic, key, value, headers and timestamp (key and value as far as
/// <c>dotnet.producer.enable.delivery.report.fields</c> keeps them), not the same instance. A record the client refuses
/// outright (serialization, oversized) is reported as it was taken.
/// </para>
/// </remarks>
internal sealed class ProducerSinkLogic<TKey, TValue> : ProducerStageLogic<ProducerRecord<TKey, TValue>, TKey, TValue>
{
    private readonly Inlet<ProducerRecord<TKey, TValue>> _in;
    private readonly Action<DeliveryReport<TKey, TValue>> _handler;
    private readonly ConcurrentQueue<DeliveryReport<TKey, TValue>> _failedReports = new();

    private ProducerRecord<TKey, TValue>? _waiting;
    private long _sent;
    private long _acknowledgedSeen;

    // Written by the handler on the client's thread.
    private PaddedLong _acknowledged;

    public ProducerSinkLogic(
        SinkShape<ProducerRecord<TKey, TValue>> shape, ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer, Attributes inheritedAttributes)
        : base(shape, shape.Inlet, settings, sharedProducer, inheritedAttributes)
    {
        _in = shape.Inlet;
        _handler = OnDelivered;
        SetHandler(_in, onPush: OnElementPushed, onUpstreamFinish: OnUpstreamFinished, onUpstreamFailure: OnUpstreamFailed);
    }

    /// <summary>Completes when every record was acknowledged after upstream completed; faults with the stage's failure.</summary>
    public TaskCompletionSource<Akka.Done> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    protected override bool HasRoom => _waiting is null && (_sent - _acknowledgedSeen < Parallelism || _sent - ReadAcknowledged() < Parallelism);

    /// <inheritdoc />
    /// <remarks>A failed report is queued before it is counted, so when every record is counted its failure is in the queue.</remarks>
    protected override bool IsIdle => _waiting is null && _sent == ReadAcknowledged() && _failedReports.IsEmpty;

    public override void PostStop()
    {
        base.PostStop();
        Completion.TrySetException(Failure ?? new AbruptStageTerminationException(this));
    }

    protected override void Finish()
    {
        Completion.TrySetResult(Akka.Done.Instance);
        base.Finish();
    }

    /// <inheritdoc />
    private protected override void Take(ProducerRecord<TKey, TValue> element)
    {
        ArgumentNullException.ThrowIfNull(element);
        SendRecord(element);
    }

    /// <inheritdoc />
    private protected override bool Progress()
    {
        while (_failedReports.TryDequeue(out var report))
        {
            if (!ResumeAfter(new KafkaProduceException<TKey, TValue>(report.Error, RecordOf(report), report.Partition)))
            {
                return false;
            }
        }

        if (_waiting is { } waiting && !QueueFullWaiting)
        {
            _waiting = null;
            return SendRecord(waiting);
        }

        return true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Not while a record waits for the client's full queue: the retry timer wakes the stage then. Failed reports wake it
    /// whatever this says.
    /// </remarks>
    private protected override bool NeedsReports =>
        _waiting is null && (_sent - _acknowledgedSeen >= Parallelism || (UpstreamFinished && _sent != _acknowledgedSeen));

    /// <inheritdoc />
    private protected override bool ReportsArrivedSinceProgress() => Volatile.Read(ref _acknowledged.Value) != _acknowledgedSeen;

    /// <inheritdoc />
    /// <remarks>A record the client's full queue refused counts too: it was not acknowledged either.</remarks>
    private protected override int Unacknowledged() => (int)(_sent - ReadAcknowledged()) + (_waiting is null ? 0 : 1);

    /// <summary>The record a failed report is for, rebuilt from what the report carries.</summary>
    private static ProducerRecord<TKey, TValue> RecordOf(DeliveryReport<TKey, TValue> report)
    {
        if (report.Message is not { } message)
        {
            return new ProducerRecord<TKey, TValue>(report.Topic, default!, default!);
        }

        return new ProducerRecord<TKey, TValue>(report.Topic, message.Key, message.Value) { Headers = message.Headers, Timestamp = message.Timestamp };
    }

    private long ReadAcknowledged() => _acknowledgedSeen = Volatile.Read(ref _acknowledged.Value);

    /// <summary>Hands a record to the client; false when it was refused and the stage failed.</summary>
    private bool SendRecord(ProducerRecord<TKey, TValue> record)
    {
        switch (Send(record, _handler, out var failure))
        {
            case SendOutcome.Sent:
                _sent++;
                return true;
            case SendOutcome.QueueFull:
                _waiting = record;
                return true;
            default:
                // Nothing was sent, so no report will come for this record.
                return ResumeAfter(failure!);
        }
    }

    // Runs on the client's thread.
    private void OnDelivered(DeliveryReport<TKey, TValue> report)
    {
        Telemetry.Delivered(report);
        if (report.Error.IsError)
        {
            _failedReports.Enqueue(report);
            Interlocked.Increment(ref _acknowledged.Value);
            ScheduleDeliveriesDrain();
            return;
        }

        // The increment is the full fence the drain needs after the report is recorded, and the one between recording
        // it and reading whether the stage waits for it.
        Interlocked.Increment(ref _acknowledged.Value);
        if (ReportsAwaited)
        {
            ScheduleDeliveriesDrain();
        }
    }
}
