using Akka.Actor;

namespace Pipelines.Kafka;

/// <summary>
/// One source registered with a consumer actor, as the source stage and its control see it: the consumer's handle, and
/// requests to stop emitting or to leave the consumer. The typed subclass carries the buffers.
/// </summary>
/// <remarks>
/// Requests go to the actor's mailbox, and a wake-up makes the actor's current poll return, so they are served within
/// one loop turn however long the poll timeout is.
/// </remarks>
internal abstract class SourceEndpoint
{
    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected SourceEndpoint(int id, SourceSpec spec, IActorRef consumer, ConsumerHandle handle)
    {
        Id = id;
        Spec = spec;
        Consumer = consumer;
        Handle = handle;
    }

    /// <summary>The source's number within its consumer.</summary>
    public int Id { get; }

    /// <summary>What the source asked for.</summary>
    public SourceSpec Spec { get; }

    /// <summary>The consumer actor.</summary>
    public IActorRef Consumer { get; }

    /// <summary>The consumer's thread-safe side (commits, metrics, wake-ups).</summary>
    public ConsumerHandle Handle { get; }

    /// <summary>
    /// Completes when the source has left its consumer: its processed offsets committed and its partitions given up, or,
    /// for the consumer's last source, the consumer closed. Faults with the consumer's failure.
    /// </summary>
    public Task Left => _left.Task;

    /// <summary>Stops handing records to the source (its buffers complete, its partitions pause); commits are still served.</summary>
    /// <param name="leave">
    /// Leave the consumer after the source's stop-timeout (a source that ended other than through its control), or stay
    /// until <see cref="RequestLeave"/>.
    /// </param>
    public void RequestStop(bool leave)
    {
        Consumer.Tell(new ConsumerProtocol.StopSource(Id, leave), ActorRefs.NoSender);
        Handle.Wake();
    }

    /// <summary>Stops the source if needed, commits what it processed and leaves the consumer (the last source closes it).</summary>
    public void RequestLeave()
    {
        Consumer.Tell(new ConsumerProtocol.LeaveSource(Id), ActorRefs.NoSender);
        Handle.Wake();
    }

    /// <summary>Completes <see cref="Left"/>; called by the consumer actor.</summary>
    internal void CompleteLeft(Exception? failure)
    {
        if (failure is null)
        {
            _left.TrySetResult();
        }
        else
        {
            _left.TrySetException(failure);
        }
    }
}
