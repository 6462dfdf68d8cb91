namespace Pipelines.Kafka;

/// <summary>
/// Lets a consumer source stage wait, off the stream's thread, until its buffer has something to read: at most one wait
/// at a time, whose answer (something to read, or the buffer completed) or failure comes back to the stage through its
/// async callbacks.
/// </summary>
/// <param name="waitToRead">The buffer's <c>WaitToReadAsync</c>: true when a read would succeed, false when it completed.</param>
/// <param name="onWaited">The stage's async callback for the answer; it calls <see cref="Answered"/> first.</param>
/// <param name="onFailed">The stage's async callback for a failure of the wait (the consumer's failure), which fails the stage.</param>
internal sealed class ReadableWait(Func<ValueTask<bool>> waitToRead, Action<bool> onWaited, Action<Exception> onFailed)
{
    private bool _waiting;

    /// <summary>Starts a wait unless one is running.</summary>
    public void Start()
    {
        if (!_waiting)
        {
            _waiting = true;
            _ = WaitAsync();
        }
    }

    /// <summary>Marks the running wait as answered, so that the next <see cref="Start"/> starts another.</summary>
    public void Answered() => _waiting = false;

    private async Task WaitAsync()
    {
        try
        {
            var more = await waitToRead().ConfigureAwait(false);
            onWaited(more);
        }
#pragma warning disable CA1031 // The consumer's failure is handed to the stage, which fails its stream with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            onFailed(ex);
        }
    }
}
