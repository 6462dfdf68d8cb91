using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;

namespace Pipelines.Benchmarks.Streams;

/// <summary>
/// Akka.Streams and our stages, each beside what a user would otherwise write: the stock linear chain against TPL
/// Dataflow (what the platform costs), SelectAsyncPartitioned against stock per-key ordering and against unordered
/// SelectAsync, and DelayUntil's lateness on the real clock. One ActorSystem runs every case.
/// </summary>
internal sealed class StreamsSuite : IBenchmarkSuite
{
    public string Name => "streams";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """);
        var system = ActorSystem.Create("streams-bench", config);
        try
        {
            var materializer = system.Materializer();
            await LinearCases.RunAsync(Name, options, report, materializer, cancellationToken).ConfigureAwait(false);
            await PartitionedCases.RunAsync(Name, options, report, materializer, cancellationToken).ConfigureAwait(false);
            await DelayUntilCases.RunAsync(Name, options, report, materializer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }
}
