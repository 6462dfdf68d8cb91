using System.CommandLine;
using Pipelines.Kafka.Native;

namespace Pipelines.Host.Commands;

/// <summary><c>pipelines version</c>: the versions of Pipelines and of the loaded librdkafka (with the build of librdkafka.redist in use).</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Prints the versions of Pipelines and of the loaded librdkafka.");
        command.SetAction(_ =>
        {
            // ClientImportName loads librdkafka as Confluent.Kafka does and says which of librdkafka.redist's builds it took.
            var build = LibrdkafkaBinding.ClientImportName ?? "unknown build";
            Console.WriteLine($"pipelines {typeof(LibrdkafkaBinding).Assembly.GetName().Version} librdkafka {Confluent.Kafka.Library.VersionString} ({build})");
            return 0;
        });
        return command;
    }
}
