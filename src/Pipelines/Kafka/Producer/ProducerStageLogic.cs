using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// What the producer sink and flow share: the client (owned, or shared and left alone), sending a record with the
/// client's queue-full retry, putting failures to the supervision decider (<c>ActorAttributes.SupervisionStrategy</c>),
/// waiting for outstanding deliveries after upstream completed (at most
/// <see cref="ProducerSettings{TKey, TValue}.FlushTimeout"/>), and closing an owned client off the stream's thread.
/// </summary>
/// <remarks>
/// How records in flight are tracked is the subclass's: the flow keeps envelopes in arrival order so that results leave
/// in input order (<see cref="InOrderProducerStageLogic{TIn, TKey, TValue, TPassThrough}"/>); the sink has no results to
/// order and frees each record's place as soon as its delivery is reported (<see cref="ProducerSinkLogic{TKey, TValue}"/>).
/// </remarks>
internal abstract class ProducerStageLogic<TIn, TKey, TValue> : TimerGraphStageLogic
{
    // librdkafka's queue is full when a shared producer is busy, or parallelism exceeds queue.buffering.max.messages.
    private static readonly TimeSpan QueueFullRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly object FlushTimeoutTimer = new();
    private static readonly object QueueFullTimer = new();

    private readonly ProducerSettings<TKey, TValue> _settings;
    private readonly IProducer<TKey, TValue>? _sharedProducer;
    private readonly Inlet<TIn> _in;
    private readonly Decider _decider;

    private IProducer<TKey, TValue>? _producer;
    private Task? _flushTask;
    private TopicPartition? _anyPartition;
    private Action _deliveriesCallback = null!;
    private Microsoft.Extensions.Logging.ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private bool _upstreamFinished;
    private bool _finished;

    // Written by delivery handlers on the client's thread: whether a drain of the reports is scheduled on the stream's thread.
    private PaddedInt _drainScheduled;

    // Written by the stage, read by delivery handlers: whether the stage waits for reports to go on (see NeedsReports).
    private PaddedInt _reportsAwaited;

    protected ProducerStageLogic(
        Shape shape, Inlet<TIn> inlet, ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer, Attributes inheritedAttributes)
        : base(shape)
    {
        _in = inlet;
        _settings = settings;
        _sharedProducer = sharedProducer;
        _decider = inheritedAttributes.GetAttribute<ActorAttributes.SupervisionStrategy>(null)?.Decider ?? Deciders.StoppingDecider;
        Parallelism = settings.Parallelism;
        Telemetry = new ProducerTelemetry(settings.GetProperty("client.id"));
    }

    /// <summary>The failure the stage stopped with (its own, or upstream's), or <see langword="null"/>.</summary>
    protected Exception? Failure { get; private set; }

    /// <summary>Whether the stage has finished or failed: nothing more is done.</summary>
    protected bool IsStopped => _finished;

    /// <summary>The stage's log as a <see cref="Microsoft.Extensions.Logging.ILogger"/>, for the producer's source-generated messages.</summary>
    protected Microsoft.Extensions.Logging.ILogger Logger => _logger;

    /// <summary>The stage's metrics and send spans; delivery handlers pass their reports to <see cref="ProducerTelemetry.Delivered{TKey, TValue}"/>.</summary>
    private protected ProducerTelemetry Telemetry { get; }

    /// <summary>The most records unacknowledged at once (<see cref="ProducerSettings{TKey, TValue}.Parallelism"/>).</summary>
    protected int Parallelism { get; }

    /// <summary>Whether sending waits for the queue-full retry timer.</summary>
    protected bool QueueFullWaiting { get; private set; }

    /// <summary>Whether the stage may take another element (the parallelism allows, nothing waits to be sent).</summary>
    protected abstract bool HasRoom { get; }

    /// <summary>Whether nothing is in flight or waiting to be sent, so the stage may complete once upstream has.</summary>
    protected abstract bool IsIdle { get; }

    public override void PreStart()
    {
        // Error texts come from librdkafka, even when a shared producer is not a librdkafka client.
        Confluent.Kafka.Library.Load();
        _logger = new LoggingAdapterLogger(Log);
        _deliveriesCallback = GetAsyncCallback(OnDeliveries);
        if (_sharedProducer is not null)
        {
            _producer = _sharedProducer;
        }
        else
        {
            var fatal = GetAsyncCallback<Error>(OnFatalError);
            try
            {
                _producer = ProducerFactory.Create(_settings, _logger, fatal);
            }
            catch (Exception ex)
            {
                // Akka fails the stage with it; the sink's task must report it too.
                Failure = ex;
                throw;
            }
        }

        Pull(_in);
    }

    public override void PostStop()
    {
        if (_sharedProducer is null && _producer is { } producer)
        {
            // Flushing and disposing block; they run off the stream's thread so other stages keep going meanwhile.
            var flush = _flushTask;
            _ = Task.Run(() => CloseAsync(producer, flush));
        }
    }

    /// <summary>Handles a push: takes the element (there is room for it) and processes whatever can progress.</summary>
    protected void OnElementPushed()
    {
        Take(Grab(_in));
        Pump();
    }

    /// <summary>Takes one element from upstream (there is room for it).</summary>
    private protected abstract void Take(TIn element);

    /// <summary>
    /// Processes the deliveries reported since the last call, sends what waits to be sent and hands on finished results;
    /// false when the stage failed or cannot go on yet.
    /// </summary>
    private protected abstract bool Progress();

    /// <summary>The records sent and not reported yet, for the flush-timeout error.</summary>
    private protected abstract int Unacknowledged();

    /// <summary>Ends the stage normally: upstream completed and every delivery was reported and handed on.</summary>
    protected virtual void Finish() => CompleteStage();

    /// <summary>Whether upstream has completed (the stage finishes once it is idle).</summary>
    protected bool UpstreamFinished => _upstreamFinished;

    /// <summary>
    /// Whether the stage can go on only once more deliveries are reported (the parallelism is used up, or upstream
    /// completed with records in flight). A stage whose delivery handler reports only when this says so (<see cref="ReportsAwaited"/>)
    /// overrides it; by default the stage hears of every report.
    /// </summary>
    private protected virtual bool NeedsReports => false;

    /// <summary>
    /// Whether the stage waits for reports (see <see cref="NeedsReports"/>); read by a delivery handler after it recorded
    /// its report with a full fence, written by the stage with one before it looks at the reports again.
    /// </summary>
    private protected bool ReportsAwaited => Volatile.Read(ref _reportsAwaited.Value) != 0;

    /// <summary>Processes whatever can progress: deliveries, records waiting to be sent, results, demand, completion.</summary>
    protected void Pump()
    {
        while (true)
        {
            if (_finished || !Progress())
            {
                return;
            }

            if (HasRoom && !_upstreamFinished && !IsClosed(_in) && !HasBeenPulled(_in))
            {
                Pull(_in);
            }

            if (_upstreamFinished && IsIdle)
            {
                _finished = true;
                Finish();
                return;
            }

            if (!NeedsReports)
            {
                // Nothing waits for reports: the handlers count them without waking the stage.
                if (_reportsAwaited.Value != 0)
                {
                    Volatile.Write(ref _reportsAwaited.Value, 0);
                }

                return;
            }

            // A full fence between announcing the wait and looking at the reports again, against the handler's between
            // recording a report and reading the announcement: either the handler wakes the stage, or the stage sees the
            // report here and goes round once more.
            Interlocked.Exchange(ref _reportsAwaited.Value, 1);
            if (!ReportsArrivedSinceProgress())
            {
                return;
            }
        }
    }

    /// <summary>Whether reports arrived since <see cref="Progress"/> last looked (only asked when <see cref="NeedsReports"/> is overridden).</summary>
    private protected virtual bool ReportsArrivedSinceProgress() => false;

    /// <summary>Fails the stage with upstream's failure.</summary>
    protected void OnUpstreamFailed(Exception cause)
    {
        _finished = true;
        Failure = cause;
        FailStage(cause);
    }

    protected void OnUpstreamFinished()
    {
        _upstreamFinished = true;
        if (!IsIdle)
        {
            // The inlet is closed now; the stage stays alive until the outstanding deliveries are in.
            SetKeepGoing(true);
            ScheduleOnce(FlushTimeoutTimer, _settings.FlushTimeout);
            ProducerLog.AwaitingDeliveries(_logger, ToString()!, _settings.FlushTimeout);
            if (_sharedProducer is null)
            {
                // Flushing makes librdkafka send what it holds back for linger.ms at once; it blocks, so not on the stream's thread.
                var producer = _producer!;
                var timeout = _settings.FlushTimeout;
                _flushTask = Task.Run(() => producer.Flush(timeout));
            }
        }

        Pump();
    }

    protected override void OnTimer(object timerKey)
    {
        if (ReferenceEquals(timerKey, QueueFullTimer))
        {
            QueueFullWaiting = false;
            Pump();
            return;
        }

        if (!ReferenceEquals(timerKey, FlushTimeoutTimer))
        {
            return;
        }

        // Reports that arrived just before the timer count as arrived.
        Pump();
        var outstanding = _finished ? 0 : Unacknowledged();
        if (outstanding > 0)
        {
            FailProducer(new TimeoutException(
                $"{outstanding} record(s) were still not acknowledged {_settings.FlushTimeout} (flush-timeout) after upstream completed; "
                + "check that the brokers are reachable, or raise akka.kafka.producer.flush-timeout."));
        }
    }

    /// <summary>
    /// Hands <paramref name="record"/> to the client with <paramref name="handler"/> for its report. Returns
    /// <see cref="SendOutcome.QueueFull"/> when the client's queue is full (the retry timer is running: send it again when
    /// <see cref="Pump"/> is next called), and <see cref="SendOutcome.Failed"/> with the failure when the client refused
    /// it (nothing was sent, no report will come).
    /// </summary>
    /// <remarks>
    /// While tracing, the record gets a send span (ended by its delivery report) whose context goes into its headers;
    /// <paramref name="passThroughParent"/> is the span's parent when the record was not made inside an activity
    /// (<see cref="ProducerTelemetry.PassThroughParent{TKey, TValue, TPassThrough}"/>).
    /// </remarks>
    private protected SendOutcome Send(
        ProducerRecord<TKey, TValue> record, Action<DeliveryReport<TKey, TValue>> handler, out Exception? failure, ActivityContext passThroughParent = default)
    {
        failure = null;
        var span = ProducerTelemetry.IsTracing ? Telemetry.StartSend(record, passThroughParent) : null;
        if (span is not null)
        {
            handler = new SendSpan<TKey, TValue>(span, handler).OnDelivered;
        }

        try
        {
            _producer!.Produce(record.TopicPartition ?? AnyPartitionOf(record.Topic), record, handler);
            return SendOutcome.Sent;
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            if (span is not null)
            {
                // The record is sent again later, under a span of its own.
                SendSpan<TKey, TValue>.Abandon(span, ErrorCodeNames.Of(ErrorCode.Local_QueueFull), "The client's queue was full; the record is sent again.");
            }

            QueueFullWaiting = true;
            ScheduleOnce(QueueFullTimer, QueueFullRetryDelay);
            ProducerLog.QueueFull(_logger, ToString()!, QueueFullRetryDelay);
            return SendOutcome.QueueFull;
        }
        catch (Exception ex)
        {
            failure = SendFailure(ex, record);
            var code = failure is KafkaException kafka ? kafka.Error.Code : ErrorCode.Unknown;
            Telemetry.Failed(record.Topic, code);
            if (span is not null)
            {
                SendSpan<TKey, TValue>.Abandon(span, ErrorCodeNames.Of(code), failure.Message);
            }

            return SendOutcome.Failed;
        }
    }

    /// <summary>
    /// Called by a delivery handler on the client's thread once the report is recorded where <see cref="Progress"/> finds
    /// it, with a full fence in between (an interlocked operation): schedules one <see cref="Pump"/> on the stream's thread unless
    /// one is pending, so many reports cost one mailbox event.
    /// </summary>
    private protected void ScheduleDeliveriesDrain()
    {
        // After the caller's fence this read cannot see a flag the stage cleared before it looked at the reports. Reading
        // first keeps the common case (a drain already scheduled) free of a second interlocked operation.
        if (Volatile.Read(ref _drainScheduled.Value) == 0 && Interlocked.Exchange(ref _drainScheduled.Value, 1) == 0)
        {
            _deliveriesCallback();
        }
    }

    /// <summary>
    /// Puts a failed record to the supervision decider: Resume and Restart drop it (logged) and return
    /// <see langword="true"/>; Stop fails the stage and returns <see langword="false"/>.
    /// </summary>
    private protected bool ResumeAfter(Exception failure)
    {
        switch (_decider(failure))
        {
            case Directive.Resume:
            case Directive.Restart:
                ProducerLog.EnvelopeDropped(_logger, ToString()!, failure.Message);
                return true;
            default:
                FailProducer(failure);
                return false;
        }
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

    private void OnDeliveries()
    {
        // A full fence: the reads of the reports that follow must not move before the flag is cleared, or a report
        // recorded meanwhile could find the flag still set and schedule nothing (a lost wake-up).
        Interlocked.Exchange(ref _drainScheduled.Value, 0);
        Pump();
    }

    private void FailProducer(Exception failure)
    {
        _finished = true;
        Failure = failure;
        FailStage(failure);
    }

    private void OnFatalError(Error error) =>
        FailProducer(new KafkaException(new Error(
            error.Code,
            $"The Kafka producer failed fatally and cannot produce any more: {error.Reason}. Restart the stream to create a new producer.",
            isFatal: true)));

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
                ProducerLog.SlowClose(_logger, producer.Name, _settings.CloseTimeout, outstanding);
            }

            producer.Dispose();
        }
        catch (Exception ex)
        {
            // The stage has stopped, so there is no stream left to fail; the log is the only place this can go.
            ProducerLog.CloseFailed(_logger, producer.Name, ex);
        }
    }

    /// <summary>What became of a record handed to the client.</summary>
    private protected enum SendOutcome
    {
        Sent,
        QueueFull,
        Failed,
    }
}
