using System.CommandLine;
using Pipelines.Host.Commands;

namespace Pipelines.Host;

/// <summary>The <c>pipelines</c> command-line application.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Pipelines: back-pressured stream processing on Apache Kafka.");
        // One line per command; each command lives in Commands/.
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
