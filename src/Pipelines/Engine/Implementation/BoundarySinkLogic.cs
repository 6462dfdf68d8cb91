using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// The producer end of an async boundary, in the upstream island: pulls eagerly while the ring has space and writes
/// every element into it. At the end of each island run it publishes its writes to a parked consumer.
/// </summary>
internal sealed class BoundarySinkLogic<T> : GraphStageLogic, IInHandler, IRunEndHook
{
    private readonly BoundaryBuffer<T> _buffer;
    private readonly Inlet<T> _in;
    private bool _dirty;

    public BoundarySinkLogic(BoundaryBuffer<T> buffer)
        : base(new SinkShape<T>(new Inlet<T>("boundary.in")))
    {
        _buffer = buffer;
        _in = ((SinkShape<T>)Shape).Inlet;
        buffer.WakeProducer = GetAsyncCallback(OnWake);
        SetHandler(_in, this);
    }

    public void OnPush()
    {
        _buffer.Write(Grab(_in));
        _dirty = true;

        // While upstream answers pulls synchronously, it writes straight into the ring's free slots, a batch at a time.
        while (true)
        {
            _buffer.NotifyConsumerIfBatchReady();
            var free = _buffer.WritableSpan();
            if (free.IsEmpty)
            {
                if (_buffer.ParkProducer())
                {
                    continue;
                }

                return;
            }

            var got = PullSyncBatch(_in, free);
            if (got > 0)
            {
                _buffer.Commit(got);
            }

            if (got < free.Length)
            {
                // A pull is outstanding (or upstream terminated): the next element arrives as a push.
                return;
            }
        }
    }

    public void OnUpstreamFinish() => _buffer.CompleteUpstream();

    public void OnUpstreamFailure(Exception cause) => _buffer.FailUpstream(cause);

    public void OnRunEnd()
    {
        if (_dirty)
        {
            _dirty = false;
            _buffer.FlushToConsumer();
        }
    }

    protected internal override void PreStart()
    {
        Interpreter!.RegisterRunEndHook(this);
        Pull(_in);
    }

    protected internal override void PostStop()
    {
        if (_buffer.UpstreamState == BoundaryBuffer<T>.Running && !_buffer.Cancelled)
        {
            // Stopped from outside (materializer shutdown): the consumer island must not wait forever.
            _buffer.FailUpstream(AbortCause ?? new AbruptStageTerminationException($"{this} stopped before upstream completed."));
        }
    }

    private void OnWake()
    {
        if (_buffer.Cancelled)
        {
            Cancel(_in, _buffer.CancelCause);
            return;
        }

        if (IsClosed(_in) || HasBeenPulled(_in))
        {
            return;
        }

        if (_buffer.ProducerHasSpace() || _buffer.ParkProducer())
        {
            Pull(_in);
        }
    }
}
