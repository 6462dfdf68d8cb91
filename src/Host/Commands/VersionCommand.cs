using System.CommandLine;
using Pipelines.Kafka.Native;

namespace Pipelines.Host.Commands;

/// <summary><c>pipelines version</c>: the versions of Pipelines and of the loaded librdkafka.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Prints the versions of Pipelines and of the loaded librdkafka.");
        command.SetAction(_ =>
        {
            Librdkafka.EnsureLoaded();
            Console.WriteLine($"pipelines {typeof(Librdkafka).Assembly.GetName().Version} librdkafka {Librdkafka.Version} ({Librdkafka.LoadedFrom})");
            return 0;
        });
        return command;
    }
}
