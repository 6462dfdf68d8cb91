using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// Offsets could not be committed: the broker refused them, or retriable errors lasted longer than the commit timeout.
/// A committer with <c>WaitForAck</c> delivery fails its stream with this exception; nothing is lost (the records are read
/// again after a restart), but the stream must not pretend the commit happened.
/// </summary>
public sealed class KafkaCommitException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="error">The Kafka error.</param>
    /// <param name="offsets">The positions that were being committed.</param>
    /// <param name="innerException">The client's exception.</param>
    public KafkaCommitException(string message, Error error, IReadOnlyList<TopicPartitionOffset> offsets, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        Offsets = offsets;
    }

    /// <summary>The Kafka error.</summary>
    public Error Error { get; }

    /// <summary>The positions (next offsets to read) that were being committed.</summary>
    public IReadOnlyList<TopicPartitionOffset> Offsets { get; }
}
