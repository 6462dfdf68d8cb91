using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// The consumer end of an async boundary, in the downstream island: pushes buffered elements as downstream pulls
/// (synchronously when the puller supports it), completes once the ring is drained after upstream completed, and
/// fails as soon as upstream failed.
/// </summary>
internal sealed class BoundarySourceLogic<T> : GraphStageLogic, IOutHandler, ISyncBatchProducer<T>
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
                _terminated = true;
                CompleteStage();
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

    public int TryPullSyncBatch(Span<T> destination)
    {
        var count = 0;
        while (true)
        {
            var state = _buffer.UpstreamState;
            if (state == BoundaryBuffer<T>.Failed)
            {
                // Elements read before are delivered first; the failure follows them.
                _terminated = true;
                FailStage(_buffer.Failure!);
                return count;
            }

            count += _buffer.TryReadBatch(destination[count..]);
            if (count == destination.Length)
            {
                return count;
            }

            if (state == BoundaryBuffer<T>.Completed)
            {
                // The state was read before the ring: the ring may only be empty now if everything was read.
                if (_buffer.IsEmpty)
                {
                    _terminated = true;
                    CompleteStage();
                    return count;
                }

                continue;
            }

            if (count > 0 && !_buffer.IsEmpty)
            {
                // The ring wrapped around: read the rest.
                continue;
            }

            if (!_buffer.ParkConsumer())
            {
                return count;
            }
        }
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
            _terminated = true;
            CompleteStage();
        }
    }
}
