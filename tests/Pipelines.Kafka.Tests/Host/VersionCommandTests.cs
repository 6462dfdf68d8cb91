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

    [Fact]
    public async Task Version_MissingNativeLibrary_ExitsNonZeroSayingWhatToInstall()
    {
        var environment = new Dictionary<string, string?> { ["PIPELINES_LIBRDKAFKA_PATH"] = "/nonexistent/librdkafka.so.1" };

        var (exitCode, output, error) = await HostProcess.RunAsync(environment, Patience, "version");

        exitCode.Should().NotBe(0);
        output.Should().BeEmpty();
        error.Should().Contain("apt-get install librdkafka1").And.Contain("/nonexistent/librdkafka.so.1");
        error.Should().NotContain("   at ", "an installation problem is reported without a stack trace");
    }
}
