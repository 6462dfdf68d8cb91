using System.Diagnostics;
using System.Text.Json.Nodes;
using Pipelines.Configuration;

namespace Pipelines.Benchmarks.Hocon;

/// <summary>
/// Parses and resolves a generated 2,000-line configuration. Anchor: System.Text.Json parsing the same
/// configuration, rendered as JSON, into a JsonNode tree (the closest BCL equivalent: text to a value tree).
/// </summary>
internal sealed class HoconSuite : IBenchmarkSuite
{
    public string Name => "hocon";

    public Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var text = HoconBenchmarkInput.Generate(2000);
        var lines = text.Count(c => c == '\n');
        var json = HoconConfigFactory.ParseString(text).Resolve().ToJson();
        var iterations = options.Size(400, 40);

        var ours = MedianMilliseconds(() => HoconConfigFactory.ParseString(text, "bench.conf").Resolve(), iterations, cancellationToken);
        var anchor = MedianMilliseconds(() => JsonNode.Parse(json), iterations, cancellationToken);
        report.Case(Name, "parse-resolve-2000-lines", ours, anchor, "ms",
            $"{lines} lines, {text.Length / 1024} KiB of HOCON; anchor: System.Text.Json JsonNode.Parse of the equivalent {json.Length / 1024} KiB of JSON; median of {iterations}");

        // The same text without resolution: how much of the time is parsing (tokens, tree, merges).
        var parseOnly = MedianMilliseconds(() => HoconConfigFactory.ParseString(text, "bench.conf"), iterations, cancellationToken);
        report.Case(Name, "parse-only-2000-lines", parseOnly, anchor, "ms", "parsing without resolving substitutions; same anchor");
        return Task.CompletedTask;
    }

    private static double MedianMilliseconds(Func<object?> action, int iterations, CancellationToken cancellationToken)
    {
        // Warm up so that tiered compilation has optimised the parser before anything is timed.
        for (var i = 0; i < Math.Max(200, iterations / 2); i++)
        {
            GC.KeepAlive(action());
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            GC.KeepAlive(action());
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[iterations / 2];
    }
}
