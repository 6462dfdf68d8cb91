using System.Runtime.CompilerServices;

namespace Pipelines.Engine.Implementation;

/// <summary>A connection carrying elements of type <typeparamref name="T"/> in a typed slot (no boxing).</summary>
internal sealed class Connection<T> : Connection
{
    private const int Refused = 0;
    private const int Delivered = 1;
    private const int Produced = 2;

    public T Element = default!;

    // Bound once: a delegate call stays cheap where an interface call from this shared site would be megamorphic.
    private SyncPull? _syncPull;
    private SyncPullBatch? _syncPullBatch;

    private delegate bool SyncPull(out T element);

    private delegate int SyncPullBatch(Span<T> destination);

    public override void DetectSyncProducer()
    {
        if (OutOwner is ISyncProducer<T> producer && OutOwner.Shape.Outlets.Count == 1)
        {
            _syncPull = producer.TryPullSync;
            _syncPullBatch = producer is ISyncBatchProducer<T> batch ? batch.TryPullSyncBatch : null;
            SyncProducer = producer;
        }
        else
        {
            _syncPull = null;
            _syncPullBatch = null;
            SyncProducer = null;
        }
    }

    public override void ClearElement()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Element = default!;
        }
    }

    /// <summary>
    /// Delivers a pull to a synchronous producer at once; an element it answers with is queued as a push to the puller
    /// (one event instead of two). Returns <see langword="false"/> when the pull must be queued as usual.
    /// </summary>
    public override bool PullThrough()
    {
        switch (TrySyncPull(out var element))
        {
            case Produced:
                Element = element;
                State = (State & ~OutAvailable) | PushPending;
                Interpreter.EnqueuePush(this);
                return true;
            case Delivered:
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Delivers a pull to a synchronous producer and returns its element directly (pushed and grabbed in one go).
    /// Otherwise the pull is outstanding (delivered, or queued when the producer cannot answer synchronously now).
    /// </summary>
    public bool PullDirect(out T element)
    {
        switch (TrySyncPull(out element))
        {
            case Produced:
                State &= ~OutAvailable;
                return true;
            case Delivered:
                return false;
            default:
                State = (State & ~ElementAvailable) | PullPending;
                Interpreter.EnqueuePull(this);
                return false;
        }
    }

    /// <summary>
    /// Delivers up to <paramref name="destination"/>'s length of pulls to a synchronous producer at once and returns how
    /// many elements it answered with (pushed and grabbed in one go). When fewer, one pull is outstanding: delivered to
    /// the producer, or queued when it cannot answer synchronously now. The caller checked that the port may be pulled.
    /// </summary>
    public int PullDirectBatch(Span<T> destination)
    {
        if (_syncPullBatch is null)
        {
            // One pull at a time; a producer that terminated with its element leaves nothing more to pull.
            for (var i = 0; i < destination.Length; i++)
            {
                if ((State & (Pulled | InClosed | UpstreamTerminated)) != 0 || !PullDirect(out destination[i]))
                {
                    return i;
                }
            }

            return destination.Length;
        }

        var producer = OutOwner;
        var interpreter = Interpreter;
        if ((State & (OutClosed | DownstreamCancelled)) != 0 || producer.IsStopped || !producer.IsStarted || !interpreter.TryEnterSync())
        {
            State = (State & ~ElementAvailable) | PullPending;
            Interpreter.EnqueuePull(this);
            return 0;
        }

        // From here on the pulls count as delivered, exactly as when OnPull runs.
        State = (State & ~ElementAvailable) | OutAvailable;
        int count;
        try
        {
            count = _syncPullBatch(destination);
        }
        catch (Exception ex)
        {
            // The contract allows a throw only before the first element.
            count = 0;
            interpreter.HandleHandlerException(producer, GraphInterpreter.KindPull, ex);
        }

        interpreter.ExitSync();

        if (producer.OpenPorts <= 0)
        {
            interpreter.AfterStageHasRun(producer);
        }

        if (count == destination.Length)
        {
            State &= ~OutAvailable;
        }

        return count;
    }

    private int TrySyncPull(out T element)
    {
        var producer = OutOwner;
        var interpreter = Interpreter;
        // A producer whose PreStart has not run yet (a fan-in pulling in its own PreStart) gets the pull as an event.
        if ((State & (OutClosed | DownstreamCancelled)) != 0 || producer.IsStopped || !producer.IsStarted || !interpreter.TryEnterSync())
        {
            element = default!;
            return Refused;
        }

        // From here on the pull counts as delivered, exactly as when OnPull runs.
        State = (State & ~ElementAvailable) | OutAvailable;
        bool produced;
        try
        {
            produced = _syncPull!(out element);
        }
        catch (Exception ex)
        {
            element = default!;
            produced = false;
            interpreter.HandleHandlerException(producer, GraphInterpreter.KindPull, ex);
        }

        interpreter.ExitSync();

        if (producer.OpenPorts <= 0)
        {
            interpreter.AfterStageHasRun(producer);
        }

        return produced ? Produced : Delivered;
    }
}
