using System.Text.RegularExpressions;
using PubSub;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>The PubSub example, run in-process as <c>dotnet run --project examples/PubSub</c> runs it.</summary>
public sealed partial class PubSubExampleTests
{
    [Fact]
    public async Task RunAsync_StartsItsOwnClusterWhenNoneIsConfigured_AndEveryGreetingIsHandled()
    {
        var configured = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS"));
        using var output = new StringWriter();
        var printed = TextWriter.Synchronized(output);

        var exitCode = await PubSubExample.RunAsync(["--count", "5"], printed, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        exitCode.Should().Be(0, output.ToString());
        lines.Any(l => l.StartsWith("embedded Kafka cluster at 127.0.0.1:", StringComparison.Ordinal))
            .Should().Be(!configured, "with no brokers configured the example starts its own cluster");
        lines.Count(l => l.StartsWith("published #", StringComparison.Ordinal)).Should().Be(5);
        var received = lines.Select(l => Received().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        received.Should().BeEquivalentTo([1, 2, 3, 4, 5], "each greeting is handled once");
        lines.Should().Contain("done: 5 published, handled=5 failures=0 dead-lettered=0");
    }

    [Fact]
    public async Task RunAsync_UnknownArgument_PrintsUsage_AndExitsWith1()
    {
        using var output = new StringWriter();

        var exitCode = await PubSubExample.RunAsync(["--bogus"], output, CancellationToken.None);

        exitCode.Should().Be(1);
        output.ToString().Should().Contain("error: unknown argument \"--bogus\"").And.Contain("usage: PubSub [--count N]");
    }

    [GeneratedRegex("^received #(\\d+) \"hello \\1\" key=user-\\d partition=\\d offset=\\d+$")]
    private static partial Regex Received();
}
