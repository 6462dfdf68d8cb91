using System.CommandLine;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Host.Commands;

/// <summary><c>pipelines broker</c>: a standalone embedded Kafka cluster for any client to use.</summary>
internal static class BrokerCommand
{
    public const int DefaultBrokers = 3;

    public static Command Create()
    {
        var brokers = new Option<int>("--brokers")
        {
            Description = $"Number of brokers (1 to {EmbeddedKafkaCluster.MaxBrokerCount}).",
            DefaultValueFactory = _ => DefaultBrokers,
        };
        brokers.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > EmbeddedKafkaCluster.MaxBrokerCount)
            {
                result.AddError($"--brokers must be 1 to {EmbeddedKafkaCluster.MaxBrokerCount}; {value} was given.");
            }
        });

        var topics = new Option<TopicArgument[]>("--topic")
        {
            Description = $"A topic to create, as {TopicArgument.Syntax}; repeat for more topics.",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = result =>
            {
                var parsed = new List<TopicArgument>();
                foreach (var token in result.Tokens)
                {
                    var topic = TopicArgument.TryParse(token.Value, out var error);
                    if (topic is null)
                    {
                        result.AddError(error!);
                        return [];
                    }

                    parsed.Add(topic);
                }

                return [.. parsed];
            },
        };

        var bootstrapFile = new Option<FileInfo?>("--bootstrap-file")
        {
            Description = "Also write the bootstrap servers to this file (deleted again on a clean stop).",
        };

        var command = new Command(
            "broker",
            "Runs an embedded Kafka cluster until Ctrl+C or SIGTERM. The first line of output is its bootstrap servers.")
        {
            brokers,
            topics,
            bootstrapFile,
        };
        command.SetAction((parse, cancellationToken) => EmbeddedBroker.RunAsync(
            parse.GetValue(brokers),
            parse.GetValue(topics) ?? [],
            parse.GetValue(bootstrapFile)?.FullName,
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }
}
