using System.Text;
using Confluent.Kafka;

namespace Pipelines.Kafka.Tests.Serialization;

public sealed class JsonSerializationTests
{
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, "orders");

    [Fact]
    public void Serialize_Record_WritesCamelCaseJsonThatDeserializesBack()
    {
        var serializer = KafkaSerializers.Json<Order>();
        var deserializer = KafkaDeserializers.Json<Order>();

        var bytes = serializer.Serialize(new Order(7, "book"), ValueContext);
        var back = deserializer.Deserialize(bytes, isNull: false, ValueContext);

        Encoding.UTF8.GetString(bytes).Should().Be("{\"id\":7,\"item\":\"book\"}");
        back.Should().Be(new Order(7, "book"));
    }

    [Fact]
    public void Serialize_Null_IsAKafkaNull()
    {
        var bytes = new JsonSerializer<Order?>().Serialize(null, ValueContext);

        bytes.Should().BeNull();
        new JsonDeserializer<Order?>().Deserialize(ReadOnlySpan<byte>.Empty, isNull: true, ValueContext).Should().BeNull();
    }

    [Fact]
    public void Deserialize_InvalidJson_Throws()
    {
        var act = () => new JsonDeserializer<Order>().Deserialize("nope"u8, isNull: false, ValueContext);

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void CaptureFailures_InvalidJson_ReturnsTheFailureWithRawBytes()
    {
        var deserializer = KafkaDeserializers.CaptureFailures(new JsonDeserializer<Order>());

        var result = deserializer.Deserialize("nope"u8, isNull: false, ValueContext);

        result.IsSuccess.Should().BeFalse();
        result.Failure!.RawData.Should().Equal("nope"u8.ToArray());
        result.Failure.Component.Should().Be(MessageComponentType.Value);
        result.Failure.Exception.Should().BeAssignableTo<System.Text.Json.JsonException>();
        var read = () => result.Value;
        read.Should().Throw<InvalidOperationException>().WithInnerException<System.Text.Json.JsonException>();
    }

    [Fact]
    public void CaptureFailures_ValidJson_ReturnsTheValue()
    {
        var result = KafkaDeserializers.CaptureFailures(new JsonDeserializer<Order>())
            .Deserialize("{\"id\":3,\"item\":\"pen\"}"u8, isNull: false, ValueContext);

        result.IsSuccess.Should().BeTrue();
        result.Value.Should().Be(new Order(3, "pen"));
    }

    [Fact]
    public void KafkaDeserializationException_Message_NamesTheRecordAndTheWayOut()
    {
        var ex = new KafkaDeserializationException("orders", 2, 41, MessageComponentType.Key, new FormatException("bad"));

        ex.Message.Should().Contain("key").And.Contain("orders [2] @41").And.Contain("bad").And.Contain("CaptureFailures");
    }

    public sealed record Order(int Id, string Item);
}
