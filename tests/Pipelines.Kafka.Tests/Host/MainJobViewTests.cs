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
        await Eventually.TrueAsync(() => host.StandardError.Contains("Running pipelines:", StringComparison.Ordinal), Patience, "the pipelines' start");
        await host.TerminateAsync();
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.Should().Be(0, host.StandardError);
        host.StandardError.Should().NotContain("VIEW");
    }

    // The example topology's pipelines in registration order, then the delay segment.
    [GeneratedRegex(@"^VIEW t=\d+s order-generator state=\S+ in=\S+ out=\S+ .* \| orders state=\S+ in=\S+ out=\S+ .* \| reminders state=\S+ .* \| delay-router state=\S+ .* \| delay pending .* lateness p50=\S+ p99=\S+ retries=\S+ dead-letters=\S+$")]
    private static partial Regex IntervalLine();

    [GeneratedRegex(@"^VIEW summary t=\d+s order-generator state=stopped .* drain=drained \| orders state=stopped .* drain=drained \| reminders state=stopped .* drain=drained \| delay-router state=stopped .* drain=drained( \| .*)? \| delay pending .* retries=\S+ dead-letters=\S+$")]
    private static partial Regex SummaryLine();
}
