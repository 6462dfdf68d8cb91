using System.Text.Json;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Deserializers for consumer settings; bytes and strings come from Confluent's <see cref="Deserializers"/>.</summary>
public static class KafkaDeserializers
{
    /// <summary>A System.Text.Json deserializer (web defaults when <paramref name="options"/> is omitted).</summary>
    /// <typeparam name="T">The deserialized type.</typeparam>
    /// <param name="options">System.Text.Json options.</param>
    public static IDeserializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonDeserializer<T>(options);

    /// <summary>
    /// Wraps a deserializer so that a key or value it cannot read becomes a failed <see cref="DeserializationResult{T}"/>
    /// carrying the raw bytes and the exception, instead of failing the stream. Route such records to a dead-letter topic.
    /// </summary>
    /// <typeparam name="T">The deserialized type.</typeparam>
    /// <param name="inner">The deserializer to protect.</param>
    public static IDeserializer<DeserializationResult<T>> CaptureFailures<T>(IDeserializer<T> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new FailureCapturingDeserializer<T>(inner);
    }
}
