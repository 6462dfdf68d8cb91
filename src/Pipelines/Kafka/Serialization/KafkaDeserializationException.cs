using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// A consumed record's key or value could not be deserialized; the consuming stream fails with this exception, which
/// names the record. To keep consuming instead, wrap the deserializer with <see cref="KafkaDeserializers.CaptureFailures{T}"/>.
/// </summary>
public sealed class KafkaDeserializationException : Exception
{
    /// <summary>Creates the exception for the record at <paramref name="topic"/>, <paramref name="partition"/>, <paramref name="offset"/>.</summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="component">Whether the key or the value failed.</param>
    /// <param name="innerException">What the deserializer threw.</param>
    public KafkaDeserializationException(string topic, int partition, long offset, MessageComponentType component, Exception? innerException)
        : base(
            $"Could not deserialize the {component.ToString().ToLowerInvariant()} of the record at {topic} [{partition}] @{offset}: " +
            $"{innerException?.Message ?? "unknown error"}. The stream stops on undeserializable records by default; wrap the " +
            "deserializer with KafkaDeserializers.CaptureFailures to receive them as failed records (e.g. for a dead-letter topic).",
            innerException)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Component = component;
    }

    /// <summary>The record's topic.</summary>
    public string Topic { get; }

    /// <summary>The record's partition.</summary>
    public int Partition { get; }

    /// <summary>The record's offset.</summary>
    public long Offset { get; }

    /// <summary>Whether the key or the value failed.</summary>
    public MessageComponentType Component { get; }
}
