using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// Deserializes UTF-8 JSON keys or values with System.Text.Json; a Kafka null becomes <see langword="default"/>. Invalid JSON
/// throws, which fails the consuming stream with the record's topic, partition and offset unless the deserializer is wrapped
/// with <see cref="KafkaDeserializers.CaptureFailures{T}"/>.
/// </summary>
/// <typeparam name="T">The deserialized type.</typeparam>
public sealed class JsonDeserializer<T> : IDeserializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a deserializer with the given options (the web defaults when omitted: camelCase, case-insensitive).</summary>
    /// <param name="options">System.Text.Json options; they become read-only.</param>
    public JsonDeserializer(JsonSerializerOptions? options = null)
    {
        options ??= new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Creates a deserializer from source-generated metadata (trimming- and AOT-friendly).</summary>
    /// <param name="typeInfo">The type's metadata, e.g. <c>MyContext.Default.Order</c>.</param>
    public JsonDeserializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        isNull ? default! : JsonSerializer.Deserialize(data, _typeInfo)!;
}
