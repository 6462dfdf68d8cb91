using System.Diagnostics;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// Runs the fused stages of one island: a FIFO of port events (pull, push, complete, fail, cancel) processed one
/// at a time, each delivered to the handler of the stage that owns the receiving port. Single-threaded by
/// construction: only the island's runner calls into it.
/// </summary>
internal sealed class GraphInterpreter
{
    private const int KindPush = 0;
    internal const int KindPull = 1;
    private const int KindComplete = 2;
    private const int KindFail = 3;
    private const int KindCancel = 4;
    private const int KindOther = 5;

    private readonly GraphStageLogic[] _logics;

    // Events are ints (connection index << 3 | kind): queueing them needs no GC write barrier.
    private readonly int[] _events;
    private readonly int _mask;
    private readonly List<IRunEndHook> _runEndHooks = [];
    private int _head;
    private int _tail;
    private int _running;
    private int _syncDepth;

    public GraphInterpreter(Island island, GraphStageLogic[] logics, Connection[] connections)
    {
        Island = island;
        _logics = logics;
        Connections = connections;
        _running = logics.Length;

        // Each connection has at most one pending pull-or-push event and one terminal event.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, (connections.Length * 2) + 2));
        _events = new int[capacity];
        _mask = capacity - 1;
        foreach (var logic in logics)
        {
            logic.Interpreter = this;
        }

        for (var i = 0; i < connections.Length; i++)
        {
            connections[i].Interpreter = this;
            connections[i].Index = i;
            connections[i].DetectSyncProducer();
        }
    }

    public Island Island { get; }

    public IReadOnlyList<GraphStageLogic> Logics => _logics;

    public Connection[] Connections { get; }

    public bool HasPendingEvents => _head != _tail;

    public bool IsTerminated => _running == 0;

    public ILogger Logger => Island.Materializer.Settings.Logger;

    /// <summary>Runs every stage's <c>PreStart</c>, in order, before any event is processed.</summary>
    public void Init()
    {
        foreach (var logic in _logics)
        {
            try
            {
                logic.PreStart();
            }
            catch (Exception ex)
            {
                HandleHandlerException(logic, KindOther, ex);
            }

            logic.IsStarted = true;
            AfterStageHasRun(logic);
        }
    }

    /// <summary>Processes queued port events until the queue is empty or <paramref name="budget"/> is used up.</summary>
    /// <returns>The budget left.</returns>
    public int RunEvents(int budget)
    {
        var start = _head;
        var limit = unchecked(start + budget);
        while (true)
        {
            try
            {
                RunEventsUnguarded(limit);
                break;
            }
            catch (Exception ex)
            {
                // The failed event is the last one dequeued; its slot cannot have been reused yet because the ring
                // holds more slots than events can be pending.
                var failed = _events[(_head - 1) & _mask];
                var c = Connections[failed >> 3];
                var kind = failed & 7;
                HandleHandlerException(kind is KindPush or KindComplete or KindFail ? c.InOwner : c.OutOwner, kind, ex);
            }
        }

        return budget - unchecked(_head - start);
    }

    private void RunEventsUnguarded(int limit)
    {
        // Counters wrap around; comparisons are done on differences.
        while (_head != _tail && unchecked(limit - _head) > 0)
        {
            var ev = _events[_head & _mask];
            _head++;
            var c = Connections[ev >> 3];
            GraphStageLogic owner;
            int s;

            // Push and pull dominate; plain branches predict better than a jump table.
            var kind = ev & 7;
            if (kind == KindPush)
            {
                s = c.State & ~Connection.PushPending;
                if ((s & Connection.InClosed) != 0)
                {
                    c.State = s;
                    c.ClearElement();
                    continue;
                }

                c.State = s | Connection.ElementAvailable;
                owner = c.InOwner;
                c.OnPush();
            }
            else if (kind == KindPull)
            {
                s = c.State & ~Connection.PullPending;
                if ((s & (Connection.OutClosed | Connection.DownstreamCancelled)) != 0)
                {
                    c.State = s;
                    continue;
                }

                c.State = s | Connection.OutAvailable;
                owner = c.OutOwner;
                c.OnPull();
            }
            else if (kind == KindCancel)
            {
                s = c.State;
                if ((s & Connection.OutClosed) != 0)
                {
                    continue;
                }

                c.State = (s | Connection.OutClosed) & ~Connection.OutAvailable;
                owner = c.OutOwner;
                owner.OpenPorts--;
                c.OutHandler.OnDownstreamFinish(c.CancelCause);
            }
            else
            {
                s = c.State;
                if ((s & Connection.InClosed) != 0)
                {
                    continue;
                }

                c.State = s | Connection.InClosed;
                owner = c.InOwner;
                owner.OpenPorts--;
                if (kind == KindComplete)
                {
                    c.InHandler.OnUpstreamFinish();
                }
                else
                {
                    c.InHandler.OnUpstreamFailure(c.Failure!);
                }
            }

            if (owner.OpenPorts <= 0)
            {
                AfterStageHasRun(owner);
            }
        }
    }

    /// <summary>Runs a mailbox event on its stage, routing failures like a handler failure.</summary>
    public void RunMailboxEvent(MailboxEvent ev)
    {
        var logic = ev.Logic;
        if (logic.IsStopped)
        {
            ev.Dropped();
            return;
        }

        try
        {
            ev.Run();
        }
        catch (Exception ex)
        {
            HandleHandlerException(logic, KindOther, ex);
        }

        AfterStageHasRun(logic);
    }

    /// <summary>Stops every running stage at once without signalling (materializer shutdown, internal error).</summary>
    public void Abort(Exception cause)
    {
        foreach (var connection in Connections)
        {
            connection.State |= Connection.InClosed | Connection.OutClosed | Connection.UpstreamTerminated | Connection.DownstreamCancelled;
            connection.ClearElement();
        }

        _head = _tail = 0;
        foreach (var logic in _logics)
        {
            if (!logic.IsStopped)
            {
                logic.AbortCause = cause;
                logic.OpenPorts = 0;
                FinalizeStage(logic);
            }
        }
    }

    public void RegisterRunEndHook(IRunEndHook hook) => _runEndHooks.Add(hook);

    /// <summary>Lets boundary stages publish what they produced in this run before the island goes idle or yields.</summary>
    public void RunEndHooks()
    {
        foreach (var hook in _runEndHooks)
        {
            try
            {
                hook.OnRunEnd();
            }
            catch (Exception ex)
            {
                Logger.LogError(ex, "Run-end hook of {Stage} failed", hook);
                throw;
            }
        }
    }

    internal void Enqueue(Connection connection, int kind)
    {
        Debug.Assert(_tail - _head < _events.Length, "event queue overflow: a connection has more than two pending events");
        _events[_tail & _mask] = (connection.Index << 3) | kind;
        _tail++;
    }

    internal void EnqueuePush(Connection connection) => Enqueue(connection, KindPush);

    internal void EnqueuePull(Connection connection) => Enqueue(connection, KindPull);

    internal void EnqueueComplete(Connection connection) => Enqueue(connection, KindComplete);

    internal void EnqueueFail(Connection connection) => Enqueue(connection, KindFail);

    internal void EnqueueCancel(Connection connection) => Enqueue(connection, KindCancel);

    /// <summary>Stops the stage once every port is closed, unless it asked to keep going.</summary>
    internal void AfterStageHasRun(GraphStageLogic logic)
    {
        if (logic.OpenPorts <= 0 && !logic.KeepGoing && !logic.IsStopped)
        {
            FinalizeStage(logic);
        }
    }

    /// <summary>Synchronous pull-through nests calls; beyond this depth pulls go through the queue again.</summary>
    internal bool TryEnterSync()
    {
        if (_syncDepth >= 16)
        {
            return false;
        }

        _syncDepth++;
        return true;
    }

    internal void ExitSync() => _syncDepth--;

    internal void HandleHandlerException(GraphStageLogic logic, int kind, Exception ex)
    {
        if (logic.IsStopped)
        {
            // Nothing can own this failure any more; it must not vanish.
            Logger.LogError(ex, "Stream stage failed after it stopped");
            return;
        }

        try
        {
            if (kind is KindPush or KindPull)
            {
                logic.HandleSupervisedFailure(ex);
            }
            else
            {
                logic.FailStage(ex);
            }
        }
        catch (Exception inner)
        {
            // A stage whose recovery throws is failed with the original error; the secondary error is logged.
            Logger.LogError(inner, "Supervision of {Stage} failed while handling {Error}", logic, ex.Message);
            logic.FailStage(ex);
        }

        AfterStageHasRun(logic);
    }

    private void FinalizeStage(GraphStageLogic logic)
    {
        logic.IsStopped = true;
        logic.StopAllTimers();
        try
        {
            logic.PostStop();
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "PostStop of stream stage {Stage} failed", logic);
        }

        _running--;
    }

}
