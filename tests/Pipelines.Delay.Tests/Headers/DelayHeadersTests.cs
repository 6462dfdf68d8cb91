using System.Text;
using Confluent.Kafka;

namespace Pipelines.Delay.Tests.Headers;

public sealed class DelayHeadersTests
{
    private static readonly DateTimeOffset Due = new(2026, 12, 2, 10, 0, 5, 250, TimeSpan.Zero);
    private static readonly DateTimeOffset ScheduledAt = new(2026, 12, 2, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void WriteThenRead_RoundTripsTheEnvelope_AndKeepsUserHeaders()
    {
        var envelope = new DelayEnvelope(DelayMessageId.New(Due), Due, "orders", 3, ScheduledAt);
        var headers = new Confluent.Kafka.Headers { { "trace-id", [1, 2, 3] }, { "tenant", "acme"u8.ToArray() } };

        DelayHeaders.Write(headers, envelope);

        DelayHeaders.Read(headers, "pipelines-delay-5s", 0, 42).Should().Be(envelope);
        DelayHeaders.ReadDueTime(headers, "pipelines-delay-5s", 0, 42).Should().Be(Due);
        headers.GetLastBytes("trace-id").Should().Equal(1, 2, 3);
        headers.GetLastBytes("tenant").Should().Equal("acme"u8.ToArray());
        Text(headers, PipelinesHeaders.DelayDue).Should().Be(Due.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(headers, PipelinesHeaders.DelayId).Should().Be(envelope.Id.ToString());
        Text(headers, PipelinesHeaders.DelayTargetTopic).Should().Be("orders");
        Text(headers, PipelinesHeaders.DelayTargetPartition).Should().Be("3");
    }

    [Fact]
    public void Write_WithoutPartition_LeavesItOut_AndReplacesAnEarlierEnvelope()
    {
        var headers = new Confluent.Kafka.Headers();
        DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(ScheduledAt), ScheduledAt, "old", 1, ScheduledAt));
        var envelope = new DelayEnvelope(DelayMessageId.New(Due), Due, "orders", null, ScheduledAt);

        DelayHeaders.Write(headers, envelope);

        DelayHeaders.Read(headers, "t", 0, 0).Should().Be(envelope);
        headers.Count.Should().Be(4, "each envelope header appears once and the partition is absent");
        headers.Any(h => h.Key.StartsWith(PipelinesHeaders.Prefix, StringComparison.Ordinal) && !h.Key.StartsWith("pipelines-delay-", StringComparison.Ordinal))
            .Should().BeFalse();
    }

    [Fact]
    public void Read_ManyTargets_ReturnsEachName()
    {
        for (var i = 0; i < 40; i++)
        {
            var headers = new Confluent.Kafka.Headers();
            var envelope = new DelayEnvelope(DelayMessageId.New(Due), Due, $"target-{i % 20}", null, ScheduledAt);
            DelayHeaders.Write(headers, envelope);

            DelayHeaders.Read(headers, "t", 0, i).TargetTopic.Should().Be($"target-{i % 20}", "names beyond the cache's capacity are decoded again");
        }
    }

    [Fact]
    public void Read_LastHeaderWins()
    {
        var headers = new Confluent.Kafka.Headers();
        DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(Due), Due, "orders", null, ScheduledAt));
        headers.Add(PipelinesHeaders.DelayDue, Encoding.ASCII.GetBytes("0"));

        DelayHeaders.ReadDueTime(headers, "t", 0, 0).Should().Be(DateTimeOffset.UnixEpoch);
    }

    [Theory]
    [InlineData(PipelinesHeaders.DelayId, "is missing (the delayed message's id)")]
    [InlineData(PipelinesHeaders.DelayDue, "is missing (when the message is due)")]
    [InlineData(PipelinesHeaders.DelayTargetTopic, "is missing (the topic the message is delivered to)")]
    [InlineData(PipelinesHeaders.DelayScheduledAt, "is missing (when the message was scheduled)")]
    public void Read_MissingHeader_NamesItAndTheRecord(string header, string problem)
    {
        var headers = Valid();
        headers.Remove(header);

        var act = () => DelayHeaders.Read(headers, "pipelines-delay-30s", 2, 1234);

        var error = act.Should().Throw<KafkaHeaderException>().Which;
        error.Message.Should().StartWith($"Header '{header}' of the record at pipelines-delay-30s [2] @1234 {problem}");
        error.Header.Should().Be(header);
        error.Topic.Should().Be("pipelines-delay-30s");
        error.Partition.Should().Be(2);
        error.Offset.Should().Be(1234);
    }

    [Theory]
    [InlineData(PipelinesHeaders.DelayDue, "soon", "expected Unix milliseconds as decimal digits, but it holds \"soon\"")]
    [InlineData(PipelinesHeaders.DelayDue, "-5", "expected Unix milliseconds as decimal digits, but it holds \"-5\"")]
    [InlineData(PipelinesHeaders.DelayDue, "+5", "expected Unix milliseconds as decimal digits, but it holds \"+5\"")]
    [InlineData(PipelinesHeaders.DelayDue, "12 ", "expected Unix milliseconds as decimal digits, but it holds \"12 \"")]
    [InlineData(PipelinesHeaders.DelayDue, "", "expected Unix milliseconds as decimal digits, but it holds nothing (0 bytes)")]
    [InlineData(PipelinesHeaders.DelayDue, "99999999999999999999", "expected Unix milliseconds as decimal digits, but it holds \"99999999999999999999\"")]
    [InlineData(PipelinesHeaders.DelayScheduledAt, "yesterday", "expected Unix milliseconds as decimal digits, but it holds \"yesterday\"")]
    [InlineData(PipelinesHeaders.DelayId, "not-an-id", "expected an id of 26 Crockford base32 characters, but it holds \"not-an-id\"")]
    [InlineData(PipelinesHeaders.DelayTargetPartition, "-1", "expected a whole number from 0 to 2147483647 as decimal digits, but it holds \"-1\"")]
    [InlineData(PipelinesHeaders.DelayTargetPartition, "3000000000", "expected a whole number from 0 to 2147483647 as decimal digits, but it holds \"3000000000\"")]
    [InlineData(PipelinesHeaders.DelayTargetTopic, "", "expected non-empty UTF-8 text, but it holds nothing (0 bytes)")]
    [InlineData(PipelinesHeaders.DelayTargetTopic, "a b", "\"a b\" is not a topic name (it contains ' ' (U+0020))")]
    public void Read_MalformedHeader_NamesItTheRecordAndTheValue(string header, string value, string problem)
    {
        var headers = Valid();
        headers.Remove(header);
        headers.Add(header, Encoding.UTF8.GetBytes(value));

        var act = () => DelayHeaders.Read(headers, "pipelines-delay-1s", 0, 7);

        act.Should().Throw<KafkaHeaderException>()
            .WithMessage($"Header '{header}' of the record at pipelines-delay-1s [0] @7 is malformed: {problem}.");
    }

    [Fact]
    public void Read_BinaryOrNullValue_IsShownAsHexOrNull()
    {
        var headers = Valid();
        headers.Remove(PipelinesHeaders.DelayTargetTopic);
        headers.Add(PipelinesHeaders.DelayTargetTopic, [0xC3, 0x28]);
        var binary = () => DelayHeaders.Read(headers, "t", 0, 1);
        binary.Should().Throw<KafkaHeaderException>().WithMessage("*is malformed: expected non-empty UTF-8 text, but it holds 0xC328.");

        headers.Remove(PipelinesHeaders.DelayDue);
        headers.Add(PipelinesHeaders.DelayDue, null);
        var nullValue = () => DelayHeaders.ReadDueTime(headers, "t", 0, 1);
        nullValue.Should().Throw<KafkaHeaderException>().WithMessage("*is malformed: expected Unix milliseconds as decimal digits, but it holds a null value.");
    }

    [Fact]
    public void Read_NoHeadersAtAll_SaysTheIdIsMissing()
    {
        var act = () => DelayHeaders.Read(null, "t", 0, 1);

        act.Should().Throw<KafkaHeaderException>().Which.Header.Should().Be(PipelinesHeaders.DelayId);
    }

    [Fact]
    public void RemoveEnvelope_KeepsTheIdForDeduplication_AndUserHeaders()
    {
        var headers = Valid();
        headers.Add("user", [9]);

        DelayHeaders.RemoveEnvelope(headers);

        headers.Select(h => h.Key).Should().BeEquivalentTo([PipelinesHeaders.DelayId, "user"]);
        DelayHeaders.RemoveEnvelope(headers, keepId: false);
        headers.Select(h => h.Key).Should().Equal("user");
    }

    [Fact]
    public void Write_InvalidEnvelope_Throws()
    {
        var headers = new Confluent.Kafka.Headers();
        var noId = () => DelayHeaders.Write(headers, new DelayEnvelope(default, Due, "orders", null, ScheduledAt));
        var badTopic = () => DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(Due), Due, "no/slash", null, ScheduledAt));
        var badPartition = () => DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(Due), Due, "orders", -2, ScheduledAt));

        noId.Should().Throw<ArgumentException>().WithMessage("The delay envelope has no id*");
        badTopic.Should().Throw<ArgumentException>().WithMessage("Invalid topic name \"no/slash\"*");
        badPartition.Should().Throw<ArgumentException>().WithMessage("The target partition must be zero or more, but is -2.*");
        headers.Count.Should().Be(0);
    }

    [Fact]
    public void ReadDueTime_AllocatesNothing()
    {
        var headers = Valid();
        DelayHeaders.ReadDueTime(headers, "t", 0, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            DelayHeaders.ReadDueTime(headers, "t", 0, i);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Read_KnownTarget_AllocatesNothing()
    {
        var headers = Valid();
        DelayHeaders.Read(headers, "t", 0, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            DelayHeaders.Read(headers, "t", 0, i);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0, "the target topic's name is found by its bytes");
    }

    private static Confluent.Kafka.Headers Valid()
    {
        var headers = new Confluent.Kafka.Headers();
        DelayHeaders.Write(headers, new DelayEnvelope(DelayMessageId.New(Due), Due, "orders", 1, ScheduledAt));
        return headers;
    }

    private static string Text(Confluent.Kafka.Headers headers, string name) => Encoding.UTF8.GetString(headers.GetLastBytes(name));
}
