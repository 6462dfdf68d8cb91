using System.Reflection;
using Google.Protobuf;

namespace Pipelines.FrontDoors.Broker;

/// <summary>Protocol Buffers through Google.Protobuf: the message type must implement <c>IMessage&lt;T&gt;</c> (generated types and well-known types do).</summary>
internal sealed class ProtoBrokerCodec : BrokerCodec
{
    public override string Name => "proto";

    public override byte[] Encode<T>(T value)
    {
        if (value is not IMessage message)
        {
            throw new BrokerCodecException(
                value is null
                    ? "The proto codec cannot send a null message."
                    : $"The proto codec sends Google.Protobuf messages (IMessage<T>) only, not {typeof(T).FullName}: generate the type with protoc or choose the json codec.");
        }

        return message.ToByteArray();
    }

    public override T Decode<T>(byte[]? data)
    {
        var parser = Parsers<T>.Parser
            ?? throw new BrokerCodecException(
                $"The proto codec reads Google.Protobuf messages (IMessage<T> with a parameterless constructor) only, not {typeof(T).FullName}: subscribe with a generated type or choose the json codec.");
        try
        {
            return (T)parser.ParseFrom(data ?? []);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new BrokerCodecException($"The proto codec cannot decode a {typeof(T).FullName}: {e.Message}", e);
        }
    }

    // The parser is found once per type: generated types and well-known types all have a static Parser, and every
    // IMessage<T> with a parameterless constructor can make one.
    private static class Parsers<T>
    {
        public static readonly MessageParser? Parser = Find();

        private static MessageParser? Find()
        {
            if (!typeof(IMessage).IsAssignableFrom(typeof(T)))
            {
                return null;
            }

            if (typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is MessageParser declared)
            {
                return declared;
            }

            return typeof(T).GetConstructor(Type.EmptyTypes) is null
                ? null
                : ((IMessage)Activator.CreateInstance(typeof(T))!).Descriptor.Parser;
        }
    }
}
