using System.Collections.Concurrent;
using Pipelines.FrontDoors.Queue;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>
/// A queue handler that remembers every call in the order the calls started, counts calls in flight (in all and per key),
/// and runs what the test gives it for each message (block on a gate, fail, do some asynchronous work).
/// </summary>
internal sealed class RecordingHandler : IConsumeHandler
{
    private readonly ConcurrentQueue<ConsumeContext> _started = new();
    private readonly ConcurrentQueue<ConsumeContext> _finished = new();
    private readonly ConcurrentDictionary<string, int> _perKey = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _peak;
    private int _keyOverlaps;

    /// <summary>Runs inside each call, after it is counted as started; a throw or a faulted task fails the call.</summary>
    public Func<ConsumeContext, CancellationToken, Task> Work { get; set; } = static (_, _) => Task.CompletedTask;

    /// <summary>Every call, in the order the calls started.</summary>
    public IReadOnlyList<ConsumeContext> Started => [.. _started];

    /// <summary>Every call that completed successfully, in completion order.</summary>
    public IReadOnlyList<ConsumeContext> Finished => [.. _finished];

    public int FinishedCount => _finished.Count;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most calls that ran at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>How many times a call started while another call of the same key was still running.</summary>
    public int KeyOverlaps => Volatile.Read(ref _keyOverlaps);

    public async Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken)
    {
        _started.Enqueue(context);
        var now = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peak); now > peak && Interlocked.CompareExchange(ref _peak, now, peak) != peak; peak = Volatile.Read(ref _peak))
        {
        }

        var key = context.Key ?? $"null@{context.Partition}:{context.Offset}";
        if (_perKey.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _keyOverlaps);
        }

        try
        {
            await Work(context, cancellationToken).ConfigureAwait(false);
            _finished.Enqueue(context);
        }
        finally
        {
            _perKey.AddOrUpdate(key, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
