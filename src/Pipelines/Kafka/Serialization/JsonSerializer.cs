using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Serializes typed keys or values to UTF-8 JSON with System.Text.Json; a <see langword="null"/> value becomes a Kafka null.</summary>
/// <typeparam name="T">The serialized type.</typeparam>
public sealed class JsonSerializer<T> : ISerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a serializer with the given options (the web defaults when omitted: camelCase names).</summary>
    /// <param name="options">System.Text.Json options; they become read-only.</param>
    public JsonSerializer(JsonSerializerOptions? options = null)
    {
        options ??= new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Creates a serializer from source-generated metadata (trimming- and AOT-friendly).</summary>
    /// <param name="typeInfo">The type's metadata, e.g. <c>MyContext.Default.Order</c>.</param>
    public JsonSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc />
    public byte[] Serialize(T data, SerializationContext context) =>
        data is null ? null! : JsonSerializer.SerializeToUtf8Bytes(data, _typeInfo);
}
