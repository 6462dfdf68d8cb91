using System.CommandLine;

namespace Pipelines.Host.Commands;

/// <summary>
/// What <c>pipelines</c> does with no command: run the configured pipelines against <c>KAFKA_BOOTSTRAP_SERVERS</c>,
/// or against an embedded cluster when that is unset.
/// </summary>
internal static class MainJob
{
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    public static void Configure(RootCommand root)
    {
        root.SetAction(async (_, cancellationToken) =>
        {
            var servers = Environment.GetEnvironmentVariable(BootstrapServersVariable);
            if (!string.IsNullOrWhiteSpace(servers))
            {
                await Console.Error.WriteLineAsync($"Using the Kafka cluster at {BootstrapServersVariable}={servers}.").ConfigureAwait(false);
                await Console.Error.WriteLineAsync("No pipelines are configured yet; nothing to run.").ConfigureAwait(false);
                return 0;
            }

            await Console.Error.WriteLineAsync($"{BootstrapServersVariable} is not set: starting an embedded Kafka cluster.").ConfigureAwait(false);
            return await EmbeddedBroker.RunAsync(BrokerCommand.DefaultBrokers, [], null, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
    }
}
