namespace Pipelines.FrontDoors.Producing;

/// <summary>Completes once every record of a chunk has its outcome.</summary>
internal sealed class ChunkCountdown
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    public ChunkCountdown(int count)
    {
        _remaining = count;
        if (count == 0)
        {
            _done.TrySetResult();
        }
    }

    public Task Task => _done.Task;

    public void Signal()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }
    }
}
