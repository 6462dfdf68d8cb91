namespace Pipelines.FrontDoors.Producing;

/// <summary>Counts accepted records until each has its outcome, so that closing can wait for the last one.</summary>
internal sealed class InFlight
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private int _closing;

    /// <summary>Records accepted and not yet reported.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);

    public void Done()
    {
        if (Interlocked.Decrement(ref _count) == 0 && Volatile.Read(ref _closing) == 1)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Completes once no record is in flight; no record may be added after this is called.</summary>
    public Task DrainAsync()
    {
        Volatile.Write(ref _closing, 1);
        if (Count == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
