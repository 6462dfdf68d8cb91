namespace Pipelines.Kafka.Tests.Host;

public sealed class MainJobShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string?> NoBrokersConfigured = new() { ["KAFKA_BOOTSTRAP_SERVERS"] = null };

    [Fact]
    public async Task NoCommand_Sigterm_RunsAkkasCoordinatedShutdownAndExitsZero()
    {
        await using var host = HostProcess.Start(NoBrokersConfigured);

        var bootstrap = await host.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        bootstrap.Should().StartWith("127.0.0.1:", host.StandardError);
        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        host.StandardError.Should().Contain("Actor system 'pipelines' is running")
            .And.Contain("Embedded Kafka cluster stopped.")
            .And.Contain("Drain summary (4 pipeline(s)):")
            .And.Contain("Actor system 'pipelines' terminated (CoordinatedShutdown reason: ClrExitReason).");
    }
}
