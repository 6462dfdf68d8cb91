namespace Pipelines.Kafka;

/// <summary>Whether a committer waits for the broker to acknowledge each commit (<c>akka.kafka.committer.delivery</c>).</summary>
public enum CommitDelivery
{
    /// <summary>A commit completes when the broker acknowledges it; a failed commit fails the stream (at-least-once).</summary>
    WaitForAck,

    /// <summary>Commits are sent without waiting; faster, but a failed commit is only logged.</summary>
    SendAndForget,
}
