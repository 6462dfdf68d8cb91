using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// An actor running one <see cref="GraphInterpreter"/>: a lock-free mailbox of external events and a runner that is
/// scheduled on the thread pool only when the mailbox goes from empty to non-empty. The runner processes one event at
/// a time (never concurrently) and yields the thread after a batch so islands share the pool fairly.
/// </summary>
internal sealed class Island : IThreadPoolWorkItem
{
    // Islands a pool thread may run back to back by handing off, before it gives the next one to the pool instead.
    private const int MaxHandoffs = 64;

    // The island the current pool thread runs next, once the island it is running now ends its run (see Schedule).
    [ThreadStatic]
    private static Island? t_handoff;

    // Set while an island on this pool thread runs its run-end hooks: no stage code runs after them in that run, so an
    // island woken then can wait for it without risk (a wake from a handler could be awaited by blocking user code).
    [ThreadStatic]
    private static bool t_atRunEnd;

    private readonly ConcurrentQueue<MailboxEvent> _mailbox = new();
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _eventLimit;
    private readonly TaskScheduler? _scheduler;
    private GraphInterpreter _interpreter = null!;
    private int _scheduled;
    private bool _started;
    private volatile bool _startRequested;
    private volatile bool _isTerminated;
    private volatile Exception? _abortCause;

    public Island(Materializer materializer, int id)
    {
        Materializer = materializer;
        Id = id;
        _eventLimit = materializer.Settings.SyncProcessingLimit;
        var scheduler = materializer.Settings.Scheduler;
        _scheduler = scheduler is null || scheduler == TaskScheduler.Default ? null : scheduler;
    }

    public Materializer Materializer { get; }

    public int Id { get; }

    public GraphInterpreter Interpreter => _interpreter;

    public bool IsTerminated => _isTerminated;

    /// <summary>Completes once every stage of the island has stopped.</summary>
    public Task Termination => _terminated.Task;

    public void Attach(GraphInterpreter interpreter) => _interpreter = interpreter;

    /// <summary>Schedules the first run, which starts the stages and then processes what was posted before.</summary>
    public void Start()
    {
        _startRequested = true;
        Schedule();
    }

    /// <summary>Enqueues an event for the island's runner; thread-safe.</summary>
    public void Post(MailboxEvent ev)
    {
        if (_isTerminated)
        {
            ev.Dropped();
            return;
        }

        _mailbox.Enqueue(ev);
        if (_isTerminated)
        {
            // The island stopped while the event was enqueued: hand back whatever is left.
            DrainDropped();
            return;
        }

        // Before Start the event waits in the mailbox: the first run starts the stages, then processes it. (The enqueue
        // is a full fence, so a Start that this read misses schedules after the event is in.)
        if (_startRequested)
        {
            Schedule();
        }
    }

    /// <summary>Stops every stage of the island without signalling; sinks fail with <paramref name="cause"/>.</summary>
    public void Abort(Exception cause)
    {
        _abortCause ??= cause;
        Schedule();
    }

    /// <summary>Descriptions of the stages still running (for diagnostics and the TestKit).</summary>
    public IReadOnlyList<string> RunningStages() =>
        _interpreter is null ? [] : [.. _interpreter.Logics.Where(l => !l.IsStopped).Select(l => l.ToString())];

    void IThreadPoolWorkItem.Execute()
    {
        // Islands woken by the one running here run next on this thread: the elements they read were just written
        // here (still in this core's cache), and a hop through the pool's queues is saved.
        var island = this;
        for (var handoffs = 0; ; handoffs++)
        {
            island.Run();
            var next = t_handoff;
            if (next is null)
            {
                return;
            }

            t_handoff = null;
            if (handoffs == MaxHandoffs)
            {
                // Let the pool's other work in.
                next.Dispatch();
                return;
            }

            island = next;
        }
    }

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            if (_scheduler is null && t_atRunEnd && t_handoff is null)
            {
                // Scheduled at the end of another island's run on a pool thread: run right after it on this thread.
                t_handoff = this;
                return;
            }

            Dispatch();
        }
    }

    private void Dispatch()
    {
        if (_scheduler is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        else
        {
            _ = Task.Factory.StartNew(static s => ((Island)s!).Run(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);
        }
    }

    private void Run()
    {
        if (_isTerminated)
        {
            return;
        }

        try
        {
            if (!_started)
            {
                _started = true;
                _interpreter.Init();
            }

            var budget = _eventLimit;
            while (true)
            {
                if (_abortCause is { } cause)
                {
                    _interpreter.Abort(cause);
                    Terminate();
                    return;
                }

                // One external event per batch of port events: a busy island still reacts to cancellation, timers
                // and wake-ups instead of starving its mailbox.
                var hadMail = _mailbox.TryDequeue(out var ev);
                if (hadMail)
                {
                    _interpreter.RunMailboxEvent(ev!);
                    budget--;
                }

                budget = _interpreter.RunEvents(budget);
                if (_interpreter.IsTerminated)
                {
                    Terminate();
                    return;
                }

                if (budget <= 0 || (!hadMail && !_interpreter.HasPendingEvents))
                {
                    break;
                }
            }

            // Only islands on the default pool hand off (see Execute); the flag is never left set.
            t_atRunEnd = _scheduler is null;
            try
            {
                _interpreter.RunEndHooks();
            }
            finally
            {
                t_atRunEnd = false;
            }

            if (_interpreter.IsTerminated)
            {
                Terminate();
                return;
            }

            if (_interpreter.HasPendingEvents || budget <= 0)
            {
                // Yield the thread but stay scheduled: the flag is still ours.
                Dispatch();
                return;
            }

            // A full fence: the mailbox check must not be reordered before the release of the flag, or a
            // concurrent Post could see the flag still set while we see an empty mailbox (a lost wake-up).
            Interlocked.Exchange(ref _scheduled, 0);
            if ((!_mailbox.IsEmpty || _abortCause is not null) && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            {
                Dispatch();
            }
        }
        catch (Exception ex)
        {
            // Only a defect of the engine itself gets here (handler failures are routed to their stages).
            Materializer.Settings.Logger.LogCritical(ex, "Stream island {Island} failed internally; aborting its stages", Id);
            try
            {
                _interpreter.Abort(ex);
            }
            finally
            {
                Terminate();
            }
        }
    }

    private void Terminate()
    {
        _isTerminated = true;
        DrainDropped();
        Materializer.IslandTerminated(this);
        _terminated.TrySetResult();
    }

    private void DrainDropped()
    {
        while (_mailbox.TryDequeue(out var ev))
        {
            try
            {
                ev.Dropped();
            }
            catch (Exception ex)
            {
                Materializer.Settings.Logger.LogError(ex, "Dropping a stream event after its island stopped failed");
            }
        }
    }

    public override string ToString() => $"island-{Id}";
}
