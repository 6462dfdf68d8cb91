using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipelines.Kafka.Tests.Host;

[Collection(HostCommandsCollection.Name)]
public sealed class ProduceCommandTests(BrokerProcessFixture broker)
{
    [Fact]
    public async Task ProduceThenConsume_ValuesWithKeyAndHeaders_RoundTripAndLandWhereProducePrinted()
    {
        var topic = await broker.CreateTopicAsync(partitions: 3);

        var produced = (await broker.RunAsync(
            "produce", topic, "--value", "first", "--value", "second value", "--key", "order-7", "--header", "trace-id=abc", "--header", "empty=", "--header", "eq=a=b"))
            .ShouldSucceed();

        var deliveries = produced.Lines.Select(ParseDelivery).ToList();
        deliveries.Should().HaveCount(2);
        deliveries.Select(d => d.Partition).Distinct().Should().ContainSingle("one key goes to one partition");
        deliveries.Select(d => d.Offset).Should().Equal(0L, 1L);
        produced.Error.Should().Contain($"Produced 2 record(s) to topic {topic}.");

        var consumed = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "2", "--format", "json")).ShouldSucceed();

        var records = consumed.Lines.Select(ConsumedRecord.Parse).ToList();
        records.Select(r => r.Value).Should().Equal("first", "second value");
        records.Should().OnlyContain(r => r.Key == "order-7" && r.Topic == topic);
        records.Select(r => (r.Partition, r.Offset)).Should().Equal(deliveries);
        var expectedHeaders = new (string, string?)[] { ("trace-id", "abc"), ("empty", ""), ("eq", "a=b") };
        records.Should().AllSatisfy(r => r.Headers.Should().Equal(expectedHeaders));
    }

    [Fact]
    public async Task Produce_StdinWithKeySeparator_SendsOneRecordPerLineWithItsKey()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);

        var produced = (await broker.RunWithInputAsync("a\t1\nb\ttwo\twords\na\t3\n", "produce", topic, "--key-separator", "\\t")).ShouldSucceed();

        produced.Lines.Should().HaveCount(3);
        var consumed = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "3", "--format", "json")).ShouldSucceed();
        var records = consumed.Lines.Select(ConsumedRecord.Parse).ToList();
        records.Select(r => (r.Key, r.Value)).Should().BeEquivalentTo(new[] { ("a", "1"), ("b", "two\twords"), ("a", "3") });
        records.Where(r => r.Key == "a").Select(r => r.Value).Should().Equal("1", "3");
    }

    [Fact]
    public async Task Produce_StdinWithoutSeparator_SendsEachLineAsAValueWithTheFixedKey()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);

        (await broker.RunWithInputAsync("x\ny\n", "produce", topic, "--key", "k")).ShouldSucceed().Lines.Should().Equal("partition=0 offset=0", "partition=0 offset=1");

        var records = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "2", "--format", "json")).ShouldSucceed().Lines.Select(ConsumedRecord.Parse);
        records.Select(r => (r.Key, r.Value)).Should().Equal(("k", "x"), ("k", "y"));
    }

    [Fact]
    public async Task Produce_StdinLineWithoutTheSeparator_FailsNamingTheLineAfterSendingTheLinesBefore()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);

        var result = await broker.RunWithInputAsync("a\t1\nno separator here\nb\t2\n", "produce", topic, "--key-separator", "\\t");

        result.ExitCode.Should().NotBe(0);
        result.Lines.Should().Equal("partition=0 offset=0");
        result.Error.Trim().Should().Be("error: stdin line 2 has no key separator \"\\t\": expected the key, the separator and the value (records before it were sent).");
    }

    [Fact]
    public async Task Produce_Generate_QuietSummaryAccountsForEveryRecordAndKey()
    {
        var topic = await broker.CreateTopicAsync(partitions: 3);

        var produced = (await broker.RunAsync("produce", topic, "--generate", "600", "--keys", "5", "--value-size", "20", "--quiet")).ShouldSucceed();

        var summary = produced.Lines.Select(line => Regex.Match(line, @"^partition=(\d+) records=(\d+) first-offset=(\d+) last-offset=(\d+)$"))
            .Select(m => m.Success ? (Partition: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Records: long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), First: long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Last: long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)) : throw new FormatException(m.Value))
            .ToList();
        summary.Sum(s => s.Records).Should().Be(600);
        summary.Should().OnlyContain(s => s.First == 0 && s.Last == s.Records - 1);

        var records = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "600", "--format", "json")).ShouldSucceed().Lines.Select(ConsumedRecord.Parse).ToList();
        records.Should().HaveCount(600);
        records.Select(r => r.Key).Distinct().Should().BeEquivalentTo("key-0", "key-1", "key-2", "key-3", "key-4");
        records.Should().OnlyContain(r => r.Value!.Length == 20 && r.Value.StartsWith("value-", StringComparison.Ordinal));
        records.Select(r => r.Value!.Split('.')[0]).Should().OnlyHaveUniqueItems();
        records.GroupBy(r => r.Partition).Select(g => (g.Key, (long)g.Count())).Should().BeEquivalentTo(summary.Select(s => (s.Partition, s.Records)));
    }

    [Fact]
    public async Task Produce_ToAPartition_PutsEveryRecordThere()
    {
        var topic = await broker.CreateTopicAsync(partitions: 3);

        var produced = (await broker.RunAsync("produce", topic, "--partition", "2", "--generate", "4", "--keys", "4")).ShouldSucceed();

        produced.Lines.Should().Equal("partition=2 offset=0", "partition=2 offset=1", "partition=2 offset=2", "partition=2 offset=3");
    }

    [Fact]
    public async Task Produce_DeliveryFails_NamesTheTopicAndReasonAndExitsNonZero()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);

        var result = await broker.RunAsync("produce", topic, "--generate", "1", "--value-size", "2000000");

        result.ShouldFailWith($"delivery to topic \"{topic}\" failed for record 1: ");
        result.Error.Should().Contain("Message size too large").And.Contain("0 of 1 record(s) were delivered");
    }

    [Fact]
    public async Task Produce_ConfigFileTuning_ReachesTheProducer()
    {
        // The broker takes 2,000-byte records; a producer tuned to at most 1,000 bytes must refuse them itself.
        var topic = await broker.CreateTopicAsync(partitions: 1);
        var file = Path.Combine(Path.GetTempPath(), $"pipelines-{Guid.NewGuid():N}.hocon");
        await File.WriteAllTextAsync(file, "akka.kafka.producer.kafka-clients.message.max.bytes = 1000\n");
        try
        {
            (await broker.RunAsync("produce", topic, "--generate", "1", "--value-size", "100", "--config-file", file)).ShouldSucceed();
            (await broker.RunAsync("produce", topic, "--generate", "1", "--value-size", "2000", "--config-file", file))
                .ShouldFailWith("Message size too large");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Produce_UnknownTopic_FailsWithoutCreatingIt()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("produce", topic, "--value", "x")).ShouldFailWith($"topic \"{topic}\" does not exist");
        (await broker.RunAsync("topics", "list")).ShouldSucceed().Lines.Should().NotContain(topic);
    }

    [Fact]
    public async Task Produce_PartitionOutOfRange_FailsNamingTheRange()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);

        (await broker.RunAsync("produce", topic, "--partition", "2", "--value", "x")).ShouldFailWith($"--partition 2 does not exist: topic \"{topic}\" has partitions 0 to 1.");
    }

    [Theory]
    [InlineData("--value x --header novalue", "malformed --header \"novalue\": expected key=value, e.g. --header trace-id=42.")]
    [InlineData("--value x --header =x", "malformed --header \"=x\": expected key=value")]
    [InlineData("--generate -1", "--generate must be at least 1; -1 was given.")]
    [InlineData("--generate 0", "--generate must be at least 1; 0 was given.")]
    [InlineData("--generate 3 --value-size -5", "--value-size must be at least 0; -5 was given.")]
    [InlineData("--value x --partition -1", "--partition must be at least 0; -1 was given.")]
    [InlineData("--keys 3", "--keys and --value-size shape generated records; they need --generate.")]
    [InlineData("--value x --generate 3", "--value and --generate are two sources of records; give one of them.")]
    [InlineData("--generate 3 --keys 2 --key k", "--key and --keys both set the keys of generated records; give one of them.")]
    [InlineData("--value x --key-separator ,", "--key-separator applies to records read from stdin")]
    [InlineData("--value x --timeout 0s", "--timeout 0s: must be longer than zero.")]
    public async Task Produce_BadInput_FailsWithOneLineSayingWhatIsWrong(string arguments, string expected)
    {
        (await broker.RunAsync(["produce", "some-topic", .. arguments.Split(' ')])).ShouldFailWith(expected);
    }

    [Fact]
    public async Task Produce_BrokersUnreachable_FailsWithinTheTimeoutNamingTheAddress()
    {
        (await broker.RunAsync("produce", "t", "--value", "x", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2s"))
            .ShouldFailWith("the Kafka cluster at 127.0.0.1:1 did not answer within 2s");
    }

    private static (int Partition, long Offset) ParseDelivery(string line)
    {
        var match = Regex.Match(line, @"^partition=(\d+) offset=(\d+)$");
        match.Success.Should().BeTrue($"\"{line}\" is a delivery line");
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}

/// <summary>One line of <c>consume --format json</c>.</summary>
internal sealed record ConsumedRecord(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, string? Key, IReadOnlyList<(string Key, string? Value)> Headers, string? Value)
{
    public static ConsumedRecord Parse(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("topic", "partition", "offset", "timestamp", "key", "headers", "value");
        return new ConsumedRecord(
            root.GetProperty("topic").GetString()!,
            root.GetProperty("partition").GetInt32(),
            root.GetProperty("offset").GetInt64(),
            DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture),
            root.GetProperty("key").GetString(),
            [.. root.GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("key").GetString()!, h.GetProperty("value").GetString()))],
            root.GetProperty("value").GetString());
    }
}
