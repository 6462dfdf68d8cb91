namespace Pipelines.Kafka.Tests.Host;

public sealed class MissingLibrdkafkaTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("version")]
    [InlineData("broker")]
    public async Task Command_MissingNativeLibrary_ExitsNonZeroSayingWhatToInstall(string command)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PIPELINES_LIBRDKAFKA_PATH"] = "/nonexistent/librdkafka.so.1",
            ["KAFKA_BOOTSTRAP_SERVERS"] = null,
        };

        var (exitCode, output, error) = await HostProcess.RunAsync(environment, Patience, command);

        exitCode.Should().NotBe(0);
        output.Should().BeEmpty();
        error.Should().Contain("apt-get install librdkafka1").And.Contain("/nonexistent/librdkafka.so.1");
        error.Should().NotContain("   at ", "an installation problem is reported without a stack trace");
    }
}
