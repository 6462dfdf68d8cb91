namespace Pipelines.Kafka.Tests.Host;

/// <summary>The <c>bench</c> command run as a process: the suites of bench/Pipelines.Benchmarks, their BENCH lines, bad input.</summary>
public sealed class BenchCommandTests
{
    private static readonly Dictionary<string, string?> NoCluster = new() { ["KAFKA_BOOTSTRAP_SERVERS"] = null };

    [Fact]
    public async Task Bench_AQuickSuite_PrintsOneWellFormedBenchLinePerCaseAndExitsZero()
    {
        var result = await BrokerProcessFixture.RunAsync(NoCluster, "bench", "hocon", "--quick");

        result.ShouldSucceed();
        result.Lines[0].Should().Be("# suite hocon (quick)");
        var benchLines = result.Lines.Where(l => l.StartsWith("BENCH ", StringComparison.Ordinal)).ToList();
        benchLines.Should().HaveCountGreaterThanOrEqualTo(2);
        benchLines.Should().OnlyContain(l => System.Text.RegularExpressions.Regex.IsMatch(
            l, @"^BENCH hocon/[a-z0-9-]+ ours=[0-9.]+ anchor=[0-9.]+ ratio=[0-9]+\.[0-9]{3} unit=\S+$"));
    }

    [Fact]
    public async Task Bench_AnUnknownSuite_FailsNamingTheKnownOnes()
    {
        var result = await BrokerProcessFixture.RunAsync(NoCluster, "bench", "hocon", "nope");

        result.ShouldFailWith("unknown suite \"nope\"; known: delay, embedded, frontdoors, hocon, host, kafka, streams");
    }

    [Fact]
    public async Task Bench_NoSuite_FailsBeforeRunningAnything()
    {
        var result = await BrokerProcessFixture.RunAsync(NoCluster, "bench");

        result.ExitCode.Should().Be(1);
        result.Output.Should().BeEmpty();
        result.Error.Should().StartWith("error: ");
    }
}
