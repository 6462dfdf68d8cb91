using System.CommandLine;
using Pipelines.Configuration;

namespace Pipelines.Host.Commands;

/// <summary>
/// The options every Kafka command shares: the cluster (<c>--bootstrap-servers</c>), the configuration file whose
/// <c>akka.kafka.*</c> tuning the clients take (<c>--config-file</c>), and <c>--verbose</c>.
/// </summary>
internal sealed class ClusterOptions
{
    public Option<string?> BootstrapServers { get; } = new("--bootstrap-servers")
    {
        Description = $"The Kafka brokers, host:port[,host:port…] (default: {MainJob.BootstrapServersVariable}, else bootstrap.servers in the configuration).",
        HelpName = "servers",
    };

    public Option<string?> ConfigFile { get; } = new("--config-file")
    {
        Description = $"The HOCON file whose akka.kafka.* settings the clients use (default: {PipelinesConfiguration.DefaultFile} when present).",
        HelpName = "path",
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Also print the Kafka clients' own log lines and errors to stderr.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(BootstrapServers);
        command.Options.Add(ConfigFile);
        command.Options.Add(Verbose);
    }

    /// <summary>Loads the configuration and returns the connection the command's clients are made from.</summary>
    /// <param name="parse">The command's parse result.</param>
    /// <param name="timeout">How long the command waits for the cluster to answer.</param>
    /// <param name="messages">Where human-readable messages go (stderr).</param>
    public KafkaConnection Resolve(ParseResult parse, TimeSpan timeout, TextWriter messages)
    {
        var explicitServers = parse.GetValue(BootstrapServers);
        if (explicitServers is not null && string.IsNullOrWhiteSpace(explicitServers))
        {
            throw new CommandException("--bootstrap-servers is empty: give host:port[,host:port…].");
        }

        var file = parse.GetValue(ConfigFile);
        var config = PipelinesConfiguration.Load(file);
        var servers = explicitServers ?? NonBlank(Environment.GetEnvironmentVariable(MainJob.BootstrapServersVariable));
        return new KafkaConnection(config, file ?? PipelinesConfiguration.FindDefaultFile(), servers, timeout, new ClientLog(messages, parse.GetValue(Verbose)));
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
