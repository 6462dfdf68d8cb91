namespace Pipelines.Kafka.Tests.Host;

public sealed class VersionCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Version_LibrdkafkaInstalled_PrintsBothVersions()
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(new Dictionary<string, string?>(), Patience, "version");

        exitCode.Should().Be(0, error);
        output.Should().MatchRegex(@"^pipelines \S+ librdkafka \d+\.\d+\.\d+ ");
    }
}
