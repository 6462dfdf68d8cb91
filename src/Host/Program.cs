using System.CommandLine;
using Pipelines.Kafka.Native;

namespace Pipelines.Host;

/// <summary>The <c>pipelines</c> command-line application.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Pipelines: back-pressured stream processing on Apache Kafka.");
        var version = new Command("version", "Prints the versions of Pipelines and of the loaded librdkafka.");
        version.SetAction(_ =>
        {
            Librdkafka.EnsureLoaded();
            Console.WriteLine($"pipelines {typeof(Librdkafka).Assembly.GetName().Version} librdkafka {Librdkafka.Version} ({Librdkafka.LoadedFrom})");
            return 0;
        });
        root.Subcommands.Add(version);
        return root.Parse(args).InvokeAsync();
    }
}
