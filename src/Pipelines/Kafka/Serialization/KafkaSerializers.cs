using System.Text.Json;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Serializers for producer settings; bytes and strings come from Confluent's <see cref="Serializers"/>.</summary>
public static class KafkaSerializers
{
    /// <summary>A System.Text.Json serializer (web defaults when <paramref name="options"/> is omitted).</summary>
    /// <typeparam name="T">The serialized type.</typeparam>
    /// <param name="options">System.Text.Json options.</param>
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerializer<T>(options);
}
