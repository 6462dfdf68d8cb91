namespace Pipelines.Kafka.Tests.Host;

public sealed class CommandHelpTests
{
    [Theory]
    [InlineData("produce", "--generate")]
    [InlineData("consume", "--from-beginning")]
    [InlineData("topics", "describe")]
    [InlineData("topics list", "--bootstrap-servers")]
    [InlineData("topics describe", "<topic>")]
    [InlineData("topics create", "--replication-factor")]
    [InlineData("lag", "--group")]
    [InlineData("schedule", "--delay")]
    [InlineData("cancel", "<id>")]
    [InlineData("dlq", "replay")]
    [InlineData("dlq list", "--exception")]
    [InlineData("dlq replay", "--dry-run")]
    [InlineData("bench", "--quick")]
    public async Task Help_EveryKafkaCommand_PrintsItsUsageAndExitsZero(string command, string mentions)
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(
            new Dictionary<string, string?>(), BrokerProcessFixture.Patience, [.. command.Split(' '), "--help"]);

        exitCode.Should().Be(0, error);
        output.Should().Contain("Usage:").And.Contain(mentions);
        error.Should().BeEmpty();
    }

    [Fact]
    public async Task Help_Root_ListsTheKafkaCommands()
    {
        var (exitCode, output, _) = await HostProcess.RunAsync(new Dictionary<string, string?>(), BrokerProcessFixture.Patience, "--help");

        exitCode.Should().Be(0);
        output.Should().Contain("produce <topic>").And.Contain("consume <topic>").And.Contain("topics").And.Contain("lag").And.Contain("schedule <topic>").And.Contain("cancel <id>").And.Contain("dlq");
    }
}
