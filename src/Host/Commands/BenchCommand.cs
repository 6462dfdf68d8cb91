using System.CommandLine;
using Pipelines.Benchmarks;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines bench SUITE… [--quick]</c>: runs benchmark suites side by side with their anchors and prints one
/// <c>BENCH suite/case ours=… anchor=… ratio=… unit=…</c> line per case, as
/// <c>dotnet run -c Release --project bench/Pipelines.Benchmarks</c> does.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        // The suite of the main job's topology lives here, where the topology is.
        Bench.HostBenchSuite.Register();
        var suites = new Argument<string[]>("suite")
        {
            Description = $"The suites to run: {string.Join(", ", BenchmarkRunner.SuiteNames)}, or all.",
            Arity = ArgumentArity.OneOrMore,
        };
        suites.Validators.Add(result =>
        {
            var known = BenchmarkRunner.SuiteNames.Append("all").ToList();
            foreach (var token in result.Tokens.Where(t => !known.Contains(t.Value)))
            {
                result.AddError($"unknown suite \"{token.Value}\"; known: {string.Join(", ", known)}.");
            }
        });
        var quick = new Option<bool>("--quick") { Description = "Shrink the input sizes so each suite finishes in seconds (a smoke run, not figures)." };
        var command = new Command(
            "bench",
            "Runs benchmark suites on the embedded cluster and prints one BENCH line per case: ours, the anchor measured in the same run, and their ratio.")
        {
            suites, quick,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await BenchmarkRunner.RunAsync(parse.GetValue(suites)!, parse.GetValue(quick), Console.Out, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("Benchmark interrupted.").ConfigureAwait(false);
                return 130;
            }

            return 0;
        });
        return command;
    }
}
