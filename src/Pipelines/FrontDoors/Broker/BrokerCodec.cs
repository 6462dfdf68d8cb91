namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// Turns a broker's messages into bytes and back, as Kratos' <c>encoding.Codec</c>: <see cref="Json"/>, <see cref="Proto"/>
/// or <see cref="Bytes"/>. A broker has a default codec; a subscription or a publish may choose another.
/// </summary>
/// <remarks>
/// <see cref="Encode{T}"/> throws when a value cannot be encoded (the publish fails); <see cref="Decode{T}"/> throws when
/// bytes cannot be decoded, and the subscription sends that message to the dead-letter topic with the reason.
/// </remarks>
public abstract class BrokerCodec
{
    /// <summary>JSON through System.Text.Json with the web defaults (camelCase names, case-insensitive reading).</summary>
    public static BrokerCodec Json { get; } = new JsonBrokerCodec(null);

    /// <summary>Protocol Buffers through Google.Protobuf, for message types implementing <c>IMessage&lt;T&gt;</c>.</summary>
    public static BrokerCodec Proto { get; } = new ProtoBrokerCodec();

    /// <summary>The bytes as they are, for <c>byte[]</c> messages.</summary>
    public static BrokerCodec Bytes { get; } = new BytesBrokerCodec();

    /// <summary>JSON through System.Text.Json with <paramref name="options"/> (converters, naming, a source-generated context's options).</summary>
    /// <param name="options">The serializer options.</param>
    public static BrokerCodec CreateJson(System.Text.Json.JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonBrokerCodec(options);
    }

    /// <summary>The codec's name: <c>json</c>, <c>proto</c>, <c>bytes</c>, or a custom codec's own.</summary>
    public abstract string Name { get; }

    /// <summary>The codec named <paramref name="name"/>: <c>json</c>, <c>proto</c> (or <c>protobuf</c>) or <c>bytes</c> (or <c>raw</c>), in any case.</summary>
    /// <exception cref="ArgumentException">No codec has that name.</exception>
    public static BrokerCodec Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant() switch
        {
            "JSON" => Json,
            "PROTO" or "PROTOBUF" => Proto,
            "BYTES" or "RAW" => Bytes,
            _ => throw new ArgumentException($"\"{name}\" is not a codec; the codecs are json, proto and bytes", nameof(name)),
        };
    }

    /// <summary>Encodes <paramref name="value"/>.</summary>
    /// <exception cref="BrokerCodecException">The value cannot be encoded by this codec (wrong type, serializer error).</exception>
    public abstract byte[] Encode<T>(T value);

    /// <summary>Decodes a message's bytes (null for a message without value).</summary>
    /// <exception cref="BrokerCodecException">The bytes are not a <typeparamref name="T"/> in this codec.</exception>
    public abstract T Decode<T>(byte[]? data);

    /// <inheritdoc />
    public override string ToString() => Name;
}
