using System.Text.RegularExpressions;
using Pipelines.TestKit;

namespace Pipelines.Kafka.Tests.Host;

public sealed partial class MainJobViewTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string?> NoBrokersConfigured = new() { ["KAFKA_BOOTSTRAP_SERVERS"] = null };

    [Fact]
    public async Task NoCommand_OutputPiped_WritesViewLinesAndAfterSigtermTheSummary()
    {
        await using var host = HostProcess.Start(NoBrokersConfigured);

        var bootstrap = await host.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        bootstrap.Should().StartWith("127.0.0.1:", host.StandardError);
        await Eventually.TrueAsync(() => host.StandardError.Contains("VIEW t=", StringComparison.Ordinal), Patience, "the first VIEW line");
        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);
        var rest = await host.StandardOutput.ReadToEndAsync().WaitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        rest.Should().BeEmpty("stdout carries only the bootstrap servers; the view goes with the messages");
        var view = host.StandardError.Split('\n').Where(l => l.StartsWith("VIEW ", StringComparison.Ordinal)).ToList();
        view.Should().HaveCountGreaterThanOrEqualTo(2);
        view[..^1].Should().AllSatisfy(l => l.Should().MatchRegex(IntervalLine().ToString()));
        view[^1].Should().MatchRegex(SummaryLine().ToString(), "the summary comes last, once the host has stopped");
    }

    [Fact]
    public async Task NoCommand_ViewOff_WritesNoViewLines()
    {
        await using var host = HostProcess.Start(NoBrokersConfigured, "--view", "off");

        var bootstrap = await host.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        bootstrap.Should().StartWith("127.0.0.1:", host.StandardError);
        await Eventually.TrueAsync(() => host.StandardError.Contains("Press Ctrl+C to stop.", StringComparison.Ordinal), Patience, "the cluster's start");
        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        host.StandardError.Should().NotContain("VIEW");
    }

    [GeneratedRegex(@"^VIEW t=\d+s pipelines=none \| delay pending — lateness p50=— p99=— retries=— dead-letters=—$")]
    private static partial Regex IntervalLine();

    [GeneratedRegex(@"^VIEW summary t=\d+s pipelines=none \| delay pending — retries=— dead-letters=—$")]
    private static partial Regex SummaryLine();
}
