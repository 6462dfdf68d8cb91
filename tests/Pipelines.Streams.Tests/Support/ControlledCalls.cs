using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;

namespace Pipelines.Streams.Tests.Support;

/// <summary>
/// An async function whose calls the test finishes by hand: each call reports its input to a test probe and returns a
/// task that completes only when the test calls <see cref="Complete"/> or <see cref="Fail"/>. It counts the calls running
/// at once, overall and per key, and records every call that overlapped another of its key.
/// </summary>
internal sealed class ControlledCalls<TIn, TKey>
    where TIn : notnull
    where TKey : notnull
{
    private readonly Func<TIn, TKey> _keyOf;
    private readonly ConcurrentDictionary<TIn, TaskCompletionSource<TIn>> _pending = new();
    private readonly ConcurrentDictionary<TKey, int> _runningPerKey = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<TIn> _startOrder = new();
    private int _running;
    private int _maxRunning;

    public ControlledCalls(TestProbe started, Func<TIn, TKey> keyOf)
    {
        Started = started;
        _keyOf = keyOf;
    }

    /// <summary>Receives the input of every call as it starts.</summary>
    public TestProbe Started { get; }

    /// <summary>The most calls that ran at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    /// <summary>Calls that started while another call of their key was running.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>The inputs of the calls in the order they started.</summary>
    public IReadOnlyCollection<TIn> StartOrder => _startOrder;

    /// <summary>The inputs whose calls are running.</summary>
    public ICollection<TIn> Running => _pending.Keys;

    /// <summary>The function under the stage: its task completes when the test says so.</summary>
    public Task<TIn> Call(TIn input)
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }

        var key = _keyOf(input);
        if (_runningPerKey.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
        {
            _violations.Enqueue($"the call for {input} started while another call of key {key} was running");
        }

        _startOrder.Enqueue(input);
        var completion = new TaskCompletionSource<TIn>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(input, completion))
        {
            _violations.Enqueue($"{input} was called twice");
        }

        Started.Ref.Tell(input, ActorRefs.NoSender);
        return completion.Task;
    }

    /// <summary>Finishes the call for <paramref name="input"/> with <paramref name="input"/> as its result.</summary>
    public void Complete(TIn input) => Take(input).SetResult(input);

    /// <summary>Fails the task of the call for <paramref name="input"/>.</summary>
    public void Fail(TIn input, Exception failure) => Take(input).SetException(failure);

    /// <summary>Waits for the next call to start and returns its input.</summary>
    public Task<TIn> NextStartedAsync(TimeSpan timeout) => Started.ExpectMsgAsync<TIn>(timeout).AsTask();

    private TaskCompletionSource<TIn> Take(TIn input)
    {
        if (!_pending.TryRemove(input, out var completion))
        {
            throw new InvalidOperationException($"No call for {input} is running.");
        }

        // Counted down before the task completes, so the stage cannot start a call the count does not know about yet.
        _runningPerKey.AddOrUpdate(_keyOf(input), 0, (_, n) => n - 1);
        Interlocked.Decrement(ref _running);
        return completion;
    }
}
