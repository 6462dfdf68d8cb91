namespace Pipelines.Kafka.Tests.Host;

[Collection(HostCommandsCollection.Name)]
public sealed class ConsumeCommandTests(BrokerProcessFixture broker)
{
    [Fact]
    public async Task Consume_TextFormat_PrintsEveryFieldOfARecordOnOneLine()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        (await broker.RunAsync("produce", topic, "--key", "k\"1", "--header", "h=v", "--value", "hello world")).ShouldSucceed();

        var result = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "1")).ShouldSucceed();

        var line = result.Lines.Should().ContainSingle().Subject;
        line.Should().MatchRegex(@"^partition=0 offset=0 timestamp=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z key=""k\\""1"" headers=\{""h"":""v""\} value=""hello world""$");
        var timestamp = DateTimeOffset.Parse(line.Split(' ')[2]["timestamp=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        timestamp.Should().BeAfter(before).And.BeBefore(DateTimeOffset.UtcNow.AddSeconds(5));
        result.Error.Should().Contain($"Printed 1 record(s) from topic {topic}.");
    }

    [Fact]
    public async Task Consume_NullKeyAndNoHeaders_PrintsNullAndEmptyHeaders()
    {
        var topic = await broker.CreateTopicAsync(partitions: 1);
        (await broker.RunAsync("produce", topic, "--value", "v")).ShouldSucceed();

        var text = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "1")).ShouldSucceed();
        var json = (await broker.RunAsync("consume", topic, "--from-beginning", "--max", "1", "--format", "json")).ShouldSucceed();

        text.Lines.Should().ContainSingle().Which.Should().EndWith(" key=null headers={} value=\"v\"");
        var record = ConsumedRecord.Parse(json.Lines.Should().ContainSingle().Subject);
        record.Key.Should().BeNull();
        record.Headers.Should().BeEmpty();
    }

    [Fact]
    public async Task Consume_FromOffsets_ReadsOnlyThosePartitionsFromThereAndExitsZeroAfterTheTimeout()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);
        (await broker.RunAsync("produce", topic, "--partition", "0", "--generate", "5")).ShouldSucceed();
        (await broker.RunAsync("produce", topic, "--partition", "1", "--generate", "2")).ShouldSucceed();

        var result = (await broker.RunAsync("consume", topic, "--offset", "0:3", "--timeout", "2s", "--format", "json")).ShouldSucceed();

        result.Lines.Select(ConsumedRecord.Parse).Select(r => (r.Partition, r.Offset, r.Value![..7])).Should().Equal((0, 3L, "value-3"), (0, 4L, "value-4"));
    }

    [Fact]
    public async Task Consume_NoNewRecordsBeforeTheTimeout_PrintsNothingAndExitsZero()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);
        (await broker.RunAsync("produce", topic, "--generate", "3")).ShouldSucceed();

        var result = (await broker.RunAsync("consume", topic, "--timeout", "1s")).ShouldSucceed();

        result.Output.Should().BeEmpty("without --from-beginning only records produced after the start are printed");
        result.Error.Should().Contain("Printed 0 record(s)");
    }

    [Fact]
    public async Task Consume_Group_CommitsWhatItPrintedSoTheNextRunContinuesWithoutGapOrRepeat()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);
        var group = BrokerProcessFixture.NewGroupId();
        (await broker.RunAsync("produce", topic, "--generate", "10", "--keys", "10", "--quiet")).ShouldSucceed();

        // The embedded cluster lets a group that a member left wait session.timeout.ms - 1 s (45 s by default) before the
        // next member's assignment; the configuration file shortens that, as HOCON tuning of the consumer.
        var file = Path.Combine(Path.GetTempPath(), $"pipelines-{Guid.NewGuid():N}.hocon");
        await File.WriteAllTextAsync(file, "akka.kafka.consumer.kafka-clients.session.timeout.ms = 6000\n");
        CommandResult first, second;
        try
        {
            first = (await broker.RunAsync("consume", topic, "--group", group, "--from-beginning", "--max", "4", "--format", "json", "--config-file", file)).ShouldSucceed();

            // --from-beginning only applies to a partition of which the first run printed nothing (so committed nothing).
            second = (await broker.RunAsync(
                "consume", topic, "--group", group, "--from-beginning", "--max", "6", "--timeout", "30s", "--format", "json", "--config-file", file)).ShouldSucceed();
        }
        finally
        {
            File.Delete(file);
        }

        var firstRecords = first.Lines.Select(ConsumedRecord.Parse).ToList();
        var secondRecords = second.Lines.Select(ConsumedRecord.Parse).ToList();
        firstRecords.Should().HaveCount(4);
        secondRecords.Should().HaveCount(6);
        firstRecords.Concat(secondRecords).Select(r => r.Value!.Split('.')[0])
            .Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(i => $"value-{i}"), "the second run starts where the first one's commits end");
        var lag = (await broker.RunAsync("lag", "--group", group, "--topic", topic)).ShouldSucceed();
        lag.Lines[^1].Should().MatchRegex(@"^TOTAL\s+0$");
    }

    [Fact]
    public async Task Consume_UnknownTopic_FailsNamingIt()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("consume", topic, "--timeout", "1s")).ShouldFailWith($"topic \"{topic}\" does not exist");
    }

    [Fact]
    public async Task Consume_OffsetOfAMissingPartition_FailsNamingTheRange()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);

        (await broker.RunAsync("consume", topic, "--offset", "2:0")).ShouldFailWith($"--offset 2:0: topic \"{topic}\" has partitions 0 to 1.");
    }

    [Theory]
    [InlineData("--offset 0:x", "malformed --offset \"0:x\": expected partition:offset, two whole numbers of at least 0, e.g. --offset 0:42.")]
    [InlineData("--offset 1:-4", "malformed --offset \"1:-4\"")]
    [InlineData("--offset 0:1 --group g", "--offset chooses where to start; it cannot be combined with --group or --from-beginning.")]
    [InlineData("--max 0", "--max must be at least 1; 0 was given.")]
    [InlineData("--max -3", "--max must be at least 1; -3 was given.")]
    [InlineData("--format xml", "--format must be text or json; \"xml\" was given.")]
    [InlineData("--timeout 1", "--timeout 1: give a unit, e.g. 1s or 1ms.")]
    public async Task Consume_BadInput_FailsWithOneLineSayingWhatIsWrong(string arguments, string expected)
    {
        (await broker.RunAsync(["consume", "some-topic", .. arguments.Split(' ')])).ShouldFailWith(expected);
    }

    [Fact]
    public async Task Consume_BrokersUnreachable_FailsWithinTheTimeoutNamingTheAddress()
    {
        (await broker.RunAsync("consume", "t", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2s"))
            .ShouldFailWith("the Kafka cluster at 127.0.0.1:1 did not answer within 2s");
    }
}
