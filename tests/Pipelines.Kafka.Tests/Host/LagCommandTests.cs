using System.Globalization;

namespace Pipelines.Kafka.Tests.Host;

[Collection(HostCommandsCollection.Name)]
public sealed class LagCommandTests(BrokerProcessFixture broker)
{
    [Fact]
    public async Task Lag_AfterAGroupConsumedPartOfATopic_ShowsCommittedHighWatermarkAndLagPerPartitionAndTheTotal()
    {
        var topic = await broker.CreateTopicAsync(partitions: 3);
        var group = BrokerProcessFixture.NewGroupId();
        var produced = (await broker.RunAsync("produce", topic, "--generate", "30", "--keys", "7")).ShouldSucceed();
        var highWatermarks = Enumerable.Range(0, 3).ToDictionary(p => p, p => (long)produced.Lines.Count(l => l.StartsWith($"partition={p} ", StringComparison.Ordinal)));
        var consumed = (await broker.RunAsync("consume", topic, "--group", group, "--from-beginning", "--max", "12", "--format", "json")).ShouldSucceed();
        var committed = consumed.Lines.Select(ConsumedRecord.Parse).GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.Max(r => r.Offset) + 1);

        var lag = (await broker.RunAsync("lag", "--group", group, "--topic", topic)).ShouldSucceed();

        var rows = lag.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        rows[0].Should().Equal("TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG");
        var expected = Enumerable.Range(0, 3).Select(p => committed.TryGetValue(p, out var c)
            ? new[] { topic, Text(p), Text(c), Text(highWatermarks[p]), Text(highWatermarks[p] - c) }
            : new[] { topic, Text(p), "-", Text(highWatermarks[p]), "-" });
        rows.Skip(1).Take(3).Should().BeEquivalentTo(expected, options => options.WithStrictOrdering());
        rows[4].Should().Equal("TOTAL", Text(committed.Sum(c => highWatermarks[c.Key] - c.Value)));
        rows.Should().HaveCount(5);
        committed.Values.Sum(c => c).Should().Be(12, "the committed offsets account for exactly the printed records");
    }

    [Fact]
    public async Task Lag_WithoutTopic_ShowsEveryTopicTheGroupCommittedOn()
    {
        var consumedTopic = await broker.CreateTopicAsync(partitions: 1);
        var otherTopic = await broker.CreateTopicAsync(partitions: 1);
        var group = BrokerProcessFixture.NewGroupId();
        (await broker.RunAsync("produce", consumedTopic, "--generate", "5")).ShouldSucceed();
        (await broker.RunAsync("produce", otherTopic, "--generate", "5")).ShouldSucceed();
        (await broker.RunAsync("consume", consumedTopic, "--group", group, "--from-beginning", "--max", "2")).ShouldSucceed();

        var lag = (await broker.RunAsync("lag", "--group", group)).ShouldSucceed();

        lag.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Skip(1)
            .Should().BeEquivalentTo(new[] { new[] { consumedTopic, "0", "2", "5", "3" }, new[] { "TOTAL", "3" } }, options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task Lag_GroupWithoutCommitsOnTheTopic_ShowsDashesAndSaysWhy()
    {
        var topic = await broker.CreateTopicAsync(partitions: 2);
        (await broker.RunAsync("produce", topic, "--partition", "1", "--generate", "4")).ShouldSucceed();

        var lag = (await broker.RunAsync("lag", "--group", BrokerProcessFixture.NewGroupId(), "--topic", topic)).ShouldSucceed();

        lag.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Skip(1)
            .Should().BeEquivalentTo(new[] { new[] { topic, "0", "-", "0", "-" }, new[] { topic, "1", "-", "4", "-" }, new[] { "TOTAL", "0" } }, options => options.WithStrictOrdering());
        lag.Error.Should().Contain("2 partition(s) have no committed offset");
    }

    [Fact]
    public async Task Lag_GroupWithNoCommitsAnywhere_FailsNamingTheGroup()
    {
        var group = BrokerProcessFixture.NewGroupId();

        (await broker.RunAsync("lag", "--group", group)).ShouldFailWith($"group \"{group}\" has no committed offsets on any topic");
    }

    [Fact]
    public async Task Lag_UnknownTopic_FailsNamingIt()
    {
        var topic = BrokerProcessFixture.NewTopicName();

        (await broker.RunAsync("lag", "--group", "g", "--topic", topic)).ShouldFailWith($"topic \"{topic}\" does not exist");
    }

    [Theory]
    [InlineData("", "Option '--group' is required.")]
    [InlineData("--group", "Required argument missing for option: '--group'.")]
    [InlineData("--group g --topic a/b", "invalid topic name \"a/b\"")]
    [InlineData("--group g --timeout -1s", "--timeout -1s: must be longer than zero.")]
    public async Task Lag_BadInput_FailsWithOneLineSayingWhatIsWrong(string arguments, string expected)
    {
        (await broker.RunAsync(["lag", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)])).ShouldFailWith(expected);
    }

    [Fact]
    public async Task Lag_BrokersUnreachable_FailsWithinTheTimeoutNamingTheAddress()
    {
        (await broker.RunAsync("lag", "--group", "g", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2s"))
            .ShouldFailWith("the Kafka cluster at 127.0.0.1:1 did not answer within 2s");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
