namespace Pipelines.FrontDoors.Broker;

/// <summary>The bytes as they are: the message type must be <c>byte[]</c>.</summary>
internal sealed class BytesBrokerCodec : BrokerCodec
{
    public override string Name => "bytes";

    public override byte[] Encode<T>(T value)
    {
        if (typeof(T) != typeof(byte[]))
        {
            throw new BrokerCodecException($"The bytes codec sends byte[] messages only, not {typeof(T).FullName}: encode it yourself or choose the json or proto codec.");
        }

        return (byte[]?)(object?)value ?? throw new BrokerCodecException("The bytes codec cannot send a null message.");
    }

    public override T Decode<T>(byte[]? data)
    {
        if (typeof(T) != typeof(byte[]))
        {
            throw new BrokerCodecException($"The bytes codec hands byte[] messages only, not {typeof(T).FullName}: subscribe with byte[] or choose the json or proto codec.");
        }

        // A message without value is an empty message, as Kafka clients read it.
        return (T)(object)(data ?? []);
    }
}
