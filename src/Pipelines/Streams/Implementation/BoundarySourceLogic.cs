using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Implementation;

/// <summary>
/// The consumer end of an async boundary, in the downstream island: pushes buffered elements as downstream pulls
/// (synchronously when the puller supports it), completes once the ring is drained after upstream completed, and
/// fails as soon as upstream failed.
/// </summary>
internal sealed class BoundarySourceLogic<T> : GraphStageLogic, IOutHandler, ISyncProducer<T>
{
    private readonly BoundaryBuffer<T> _buffer;
    private readonly Outlet<T> _out;
    private bool _terminated;

    public BoundarySourceLogic(BoundaryBuffer<T> buffer)
        : base(new SourceShape<T>(new Outlet<T>("boundary.out")))
    {
        _buffer = buffer;
        _out = ((SourceShape<T>)Shape).Outlet;
        buffer.WakeConsumer = GetAsyncCallback(OnWake);
        SetHandler(_out, this);
    }

    public void OnPull()
    {
        if (TryPullSync(out var element))
        {
            Push(_out, element);
        }
    }

    public void OnDownstreamFinish(Exception? cause)
    {
        _terminated = true;
        _buffer.Cancel(cause);
        CompleteStage();
    }

    public bool TryPullSync(out T element)
    {
        while (true)
        {
            var state = _buffer.UpstreamState;
            if (state == BoundaryBuffer<T>.Failed)
            {
                _terminated = true;
                FailStage(_buffer.Failure!);
                break;
            }

            if (_buffer.TryRead(out element))
            {
                return true;
            }

            if (state == BoundaryBuffer<T>.Completed)
            {
                // The state was read before the ring: every element written before completion has been seen.
                CompleteDrained();
                break;
            }

            if (!_buffer.ParkConsumer())
            {
                break;
            }
        }

        element = default!;
        return false;
    }

    protected internal override void PostStop()
    {
        if (!_terminated)
        {
            // Stopped from outside (materializer shutdown): let the producer island stop too.
            _buffer.Cancel(AbortCause ?? new AbruptStageTerminationException($"{this} stopped before the stream finished."));
        }
    }

    private void OnWake()
    {
        if (_buffer.UpstreamState == BoundaryBuffer<T>.Failed)
        {
            _terminated = true;
            FailStage(_buffer.Failure!);
        }
        else if (IsAvailable(_out))
        {
            OnPull();
        }
        else if (_buffer.UpstreamState == BoundaryBuffer<T>.Completed && _buffer.IsEmpty)
        {
            CompleteDrained();
        }
    }

    private void CompleteDrained()
    {
        _terminated = true;

        // Tell the producer that nothing more will be read: a GroupBy that may re-route unread elements waits for it.
        _buffer.Cancel(null);
        CompleteStage();
    }
}
