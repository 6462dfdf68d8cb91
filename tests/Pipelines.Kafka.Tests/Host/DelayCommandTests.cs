using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipelines.Kafka.Tests.Host;

/// <summary>The delay queue's commands, <c>schedule</c> and <c>cancel</c>, run as processes against the standalone broker.</summary>
[Collection(HostCommandsCollection.Name)]
public sealed partial class DelayCommandTests(BrokerProcessFixture broker)
{
    [Fact]
    public async Task Schedule_WithADelay_StoresTheMessageInATierWithItsKeyValueHeadersAndEnvelope()
    {
        var target = await broker.CreateTopicAsync(partitions: 2);
        var before = DateTimeOffset.UtcNow;

        var result = (await broker.RunAsync("schedule", target, "--value", "remind me", "--key", "order-7", "--header", "trace=42", "--delay", "90s")).ShouldSucceed();

        var scheduled = Scheduled.Parse(result.Lines.Should().ContainSingle().Subject);
        scheduled.Target.Should().Be(target);
        scheduled.Tier.Should().Be("pipelines-delay-1m", "the largest tier not above 90 s is 1 m");
        scheduled.Due.Should().BeOnOrAfter(before.AddSeconds(90).AddMilliseconds(-1)).And.BeBefore(DateTimeOffset.UtcNow.AddSeconds(91));

        var stored = (await broker.RunAsync("consume", scheduled.Tier, "--offset", $"{scheduled.Partition}:{scheduled.Offset}", "--max", "1", "--format", "json")).ShouldSucceed();
        var record = ConsumedRecord.Parse(stored.Lines.Should().ContainSingle().Subject);
        record.Key.Should().Be("order-7");
        record.Value.Should().Be("remind me");
        record.Headers.Should().Contain(("trace", "42"));
        record.Headers.Should().Contain(h => h.Key == "pipelines-delay-id" && h.Value == scheduled.Id);
        record.Headers.Should().Contain(h => h.Key == "pipelines-delay-target-topic" && h.Value == target);
    }

    [Fact]
    public async Task Schedule_AtATimeAndToAPartition_KeepsBoth()
    {
        var target = await broker.CreateTopicAsync(partitions: 3);
        var due = DateTimeOffset.UtcNow.AddHours(3);
        var dueText = due.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        var result = (await broker.RunAsync("schedule", target, "--value", "v", "--at", dueText, "--partition", "2")).ShouldSucceed();

        var scheduled = Scheduled.Parse(result.Lines.Should().ContainSingle().Subject);
        scheduled.Due.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture).Should().Be(dueText);
        scheduled.Tier.Should().Be("pipelines-delay-2h");
        var stored = (await broker.RunAsync("consume", scheduled.Tier, "--offset", $"{scheduled.Partition}:{scheduled.Offset}", "--max", "1", "--format", "json")).ShouldSucceed();
        ConsumedRecord.Parse(stored.Lines.Single()).Headers.Should().Contain(h => h.Key == "pipelines-delay-target-partition" && h.Value == "2");
    }

    [Fact]
    public async Task Cancel_APendingMessage_IsAcceptedOnceThenSaysAlreadyCancelled()
    {
        var target = await broker.CreateTopicAsync(partitions: 1);
        var scheduled = Scheduled.Parse((await broker.RunAsync("schedule", target, "--value", "v", "--delay", "10m")).ShouldSucceed().Lines.Single());

        var first = (await broker.RunAsync("cancel", scheduled.Id)).ShouldSucceed();
        var second = (await broker.RunAsync("cancel", scheduled.Id)).ShouldSucceed();

        first.Lines.Should().Equal($"id={scheduled.Id} outcome=cancelled");
        second.Lines.Should().Equal($"id={scheduled.Id} outcome=already-cancelled");
    }

    [Fact]
    public async Task Cancel_AnIdNeverScheduled_SaysUnknownWithExitCodeTwo()
    {
        var id = "01M8WF96S9MVW8DZYZWWDK11RA";

        var result = await broker.RunAsync("cancel", id);

        result.ExitCode.Should().Be(2, result.Error);
        result.Lines.Should().Equal($"id={id} outcome=unknown");
        result.Error.Should().Contain("no message with this id is known");
    }

    [Theory]
    [InlineData("cancel|not-an-id", "\"not-an-id\" is not a scheduled message's id")]
    [InlineData("schedule|orders|--value|v", "give exactly one of --delay")]
    [InlineData("schedule|orders|--value|v|--delay|5s|--at|2030-01-01T00:00:00Z", "give exactly one of --delay")]
    [InlineData("schedule|orders|--value|v|--at|tomorrow", "--at \"tomorrow\": not a time")]
    [InlineData("schedule|orders|--value|v|--delay|5", "--delay 5: give a unit")]
    [InlineData("schedule|bad topic|--value|v|--delay|5s", "invalid topic name \"bad topic\"")]
    [InlineData("schedule|orders|--delay|5s", "--value")]
    public async Task BadInput_FailsWithOneClearLineBeforeConnecting(string arguments, string expected)
    {
        var result = await BrokerProcessFixture.RunAsync(new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1" }, arguments.Split('|'));

        result.ShouldFailWith(expected);
    }

    /// <summary>One line of <c>schedule</c>'s output.</summary>
    private sealed record Scheduled(string Id, DateTimeOffset Due, string Target, string Tier, int Partition, long Offset)
    {
        public static Scheduled Parse(string line)
        {
            var match = ScheduledLine().Match(line);
            match.Success.Should().BeTrue($"\"{line}\" is schedule's output line");
            return new Scheduled(
                match.Groups["id"].Value,
                DateTimeOffset.Parse(match.Groups["due"].Value, CultureInfo.InvariantCulture),
                match.Groups["target"].Value,
                match.Groups["tier"].Value,
                int.Parse(match.Groups["partition"].Value, CultureInfo.InvariantCulture),
                long.Parse(match.Groups["offset"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^id=(?<id>[0-9A-Z]{26}) due=(?<due>\S+Z) target=(?<target>\S+) tier=(?<tier>\S+) partition=(?<partition>\d+) offset=(?<offset>\d+)$")]
    private static partial Regex ScheduledLine();
}
