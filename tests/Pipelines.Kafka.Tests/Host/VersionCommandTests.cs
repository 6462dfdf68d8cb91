namespace Pipelines.Kafka.Tests.Host;

public sealed class VersionCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Version_FreshProcess_PrintsPipelinesAndThePackagedLibrdkafka()
    {
        Confluent.Kafka.Library.Load();

        var (exitCode, output, error) = await HostProcess.RunAsync(new Dictionary<string, string?>(), Patience, "version");

        exitCode.Should().Be(0, error);
        output.Should().MatchRegex(@"^pipelines \S+ librdkafka \S+ \(\S+\)");
        output.Should().Contain(
            $" librdkafka {Confluent.Kafka.Library.VersionString} ({Pipelines.Kafka.Native.LibrdkafkaBinding.ClientImportName})",
            "the host runs on the librdkafka of the librdkafka.redist package, like the tests");
    }
}
