using Confluent.Kafka;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// A codec as the retry route's value deserializer: the decoded message with its bytes (the handler's event carries the
/// raw record). A codec failure becomes the route's <c>KafkaDeserializationException</c>, so the message is dead-lettered.
/// </summary>
internal sealed class CodecDeserializer<T>(BrokerCodec codec) : IDeserializer<(T Message, byte[] Raw)>
{
    public (T Message, byte[] Raw) Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        var raw = isNull ? null : data.ToArray();
        return (codec.Decode<T>(raw), raw ?? []);
    }
}
