using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Pipelines.FrontDoors.Broker;

namespace Pipelines.FrontDoors.Tests.Broker;

public sealed class BrokerCodecTests
{
    public sealed record Item(string Name, int Count);

    public sealed record Wrapped(string ItemName);

    [Theory]
    [InlineData("json", "json")]
    [InlineData("JSON", "json")]
    [InlineData("proto", "proto")]
    [InlineData("protobuf", "proto")]
    [InlineData("bytes", "bytes")]
    [InlineData("raw", "bytes")]
    public void Parse_KnownNames_GiveTheCodec(string name, string expected) => BrokerCodec.Parse(name).Name.Should().Be(expected);

    [Fact]
    public void Parse_UnknownName_SaysWhichNamesExist() =>
        FluentActions.Invoking(() => BrokerCodec.Parse("avro")).Should().Throw<ArgumentException>().WithMessage("*\"avro\" is not a codec; the codecs are json, proto and bytes*");

    [Fact]
    public void Json_RoundTrips_WithWebDefaults()
    {
        var bytes = BrokerCodec.Json.Encode(new Item("pen", 3));

        Encoding.UTF8.GetString(bytes).Should().Be("""{"name":"pen","count":3}""");
        BrokerCodec.Json.Decode<Item>(bytes).Should().Be(new Item("pen", 3));
    }

    [Fact]
    public void CreateJson_UsesTheGivenOptions()
    {
        var codec = BrokerCodec.CreateJson(new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });

        Encoding.UTF8.GetString(codec.Encode(new Item("PenHolder", 3))).Should().Be("""{"name":"PenHolder","count":3}""");
        Encoding.UTF8.GetString(codec.Encode(new Wrapped("pen"))).Should().Be("""{"item_name":"pen"}""");
        codec.Decode<Wrapped>(Encoding.UTF8.GetBytes("""{"item_name":"cup"}""")).Should().Be(new Wrapped("cup"));
        codec.Name.Should().Be("json");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("")]
    public void Json_UndecodableBytes_ThrowBrokerCodecException(string text) =>
        FluentActions.Invoking(() => BrokerCodec.Json.Decode<Item>(Encoding.UTF8.GetBytes(text))).Should().Throw<BrokerCodecException>().WithMessage("*json codec*Item*");

    [Fact]
    public void Proto_RoundTripsGeneratedMessages_AndRefusesOtherTypes()
    {
        var duration = new Duration { Seconds = 90, Nanos = 5 };

        BrokerCodec.Proto.Decode<Duration>(BrokerCodec.Proto.Encode(duration)).Should().Be(duration);
        BrokerCodec.Proto.Encode(duration).Should().Equal(duration.ToByteArray());
        FluentActions.Invoking(() => BrokerCodec.Proto.Encode(new Item("x", 1))).Should().Throw<BrokerCodecException>().WithMessage("*IMessage<T>*");
        FluentActions.Invoking(() => BrokerCodec.Proto.Decode<Item>([1, 2])).Should().Throw<BrokerCodecException>().WithMessage("*IMessage<T>*");
        FluentActions.Invoking(() => BrokerCodec.Proto.Decode<Duration>([0xFF, 0xFF, 0xFF])).Should().Throw<BrokerCodecException>().WithMessage("*cannot decode*Duration*");
    }

    [Fact]
    public void Bytes_PassBytesThrough_AndRefuseOtherTypes()
    {
        BrokerCodec.Bytes.Encode(new byte[] { 1, 2 }).Should().Equal(1, 2);
        BrokerCodec.Bytes.Decode<byte[]>([3, 4]).Should().Equal(3, 4);
        BrokerCodec.Bytes.Decode<byte[]>(null).Should().BeEmpty();
        FluentActions.Invoking(() => BrokerCodec.Bytes.Encode("text")).Should().Throw<BrokerCodecException>().WithMessage("*byte[]*");
        FluentActions.Invoking(() => BrokerCodec.Bytes.Decode<string>([1])).Should().Throw<BrokerCodecException>().WithMessage("*byte[]*");
    }
}
