using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine;

/// <summary>
/// One switch for many streams: every stream that passes through <see cref="Flow{T}"/> stops when the switch is
/// used — <see cref="Shutdown"/> completes their downstream and cancels their upstream, <see cref="Abort"/> fails both
/// with the given exception. Streams materialized after the switch was used stop at once. Thread-safe.
/// </summary>
public sealed class SharedKillSwitch
{
    private readonly object _gate = new();
    private readonly HashSet<Action<Exception?>> _listeners = [];
    private bool _triggered;
    private Exception? _abortCause;

    internal SharedKillSwitch(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The switch's name (shown in logs and in the stages it controls).</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Shutdown"/> or <see cref="Abort"/> was called.</summary>
    public bool IsTriggered
    {
        get
        {
            lock (_gate)
            {
                return _triggered;
            }
        }
    }

    /// <summary>A flow that passes elements through until this switch is used; include it in any number of streams.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public Flow<T, T, SharedKillSwitch> Flow<T>() => Dsl.Flow.FromGraph(new SharedKillSwitchStage<T>(this));

    /// <summary>Completes every stream controlled by this switch (downstream completes, upstream is cancelled); later calls do nothing.</summary>
    public void Shutdown() => Trigger(null);

    /// <summary>Fails every stream controlled by this switch with <paramref name="cause"/>; later calls do nothing.</summary>
    public void Abort(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        Trigger(cause);
    }

    /// <inheritdoc />
    public override string ToString() => $"SharedKillSwitch({Name})";

    private void Trigger(Exception? cause)
    {
        Action<Exception?>[] listeners;
        lock (_gate)
        {
            if (_triggered)
            {
                return;
            }

            _triggered = true;
            _abortCause = cause;
            listeners = [.. _listeners];
            _listeners.Clear();
        }

        // Each listener posts into its stage's island, so nothing runs under the lock or on this thread.
        foreach (var listener in listeners)
        {
            listener(cause);
        }
    }

    // Returns false (with the cause to stop with) when the switch was already used.
    internal (bool Running, Exception? Cause) Register(Action<Exception?> listener)
    {
        lock (_gate)
        {
            if (_triggered)
            {
                return (false, _abortCause);
            }

            _listeners.Add(listener);
            return (true, null);
        }
    }

    internal void Unregister(Action<Exception?> listener)
    {
        lock (_gate)
        {
            _listeners.Remove(listener);
        }
    }
}
