using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines topics list|describe TOPIC|create TOPIC</c>: the cluster's topics, one topic's partitions (leaders,
/// replicas, offsets), and topic creation (through the admin API, or the control socket of an embedded cluster).
/// </summary>
internal static class TopicsCommand
{
    public static Command Create()
    {
        var command = new Command("topics", "Lists, describes and creates topics.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(CreateTopic());
        return command;
    }

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static Option<TimeSpan?> TimeoutOption() =>
        DurationOption.Create("--timeout", "How long to wait for the cluster to answer.", DefaultTimeout);

    private static Command List()
    {
        var cluster = new ClusterOptions();
        var timeout = TimeoutOption();
        var command = new Command("list", "Prints the names of the cluster's topics, one per line (internal topics excluded).") { timeout };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            using var admin = connection.CreateAdmin();
            IReadOnlyList<KafkaTopicInfo> topics;
            try
            {
                topics = admin.ListTopics(connection.Timeout);
            }
            catch (KafkaException e)
            {
                throw connection.Unreachable(e);
            }

            var output = Console.Out;
            foreach (var topic in topics)
            {
                await output.WriteLineAsync(topic.Name).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Describe()
    {
        var cluster = new ClusterOptions();
        var timeout = TimeoutOption();
        var topic = CommandArguments.Topic("The topic to describe.");
        var command = new Command(
            "describe",
            "Prints a topic's partition count and replication factor, then per partition its leader, replicas, in-sync replicas and low and high watermarks.")
        {
            topic,
            timeout,
        };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var name = parse.GetValue(topic)!;
            using var admin = connection.CreateAdmin();
            var info = connection.RequireTopic(admin, name);
            using var consumer = connection.ConsumerBuilder(connection.ConsumerSettings().WithGroupId("pipelines-topics-describe")).Build();
            var output = Console.Out;
            await output.WriteLineAsync($"topic={info.Name} partitions={info.PartitionCount} replication-factor={info.ReplicationFactor}").ConfigureAwait(false);
            foreach (var partition in info.PartitionDetails)
            {
                cancellationToken.ThrowIfCancellationRequested();
                WatermarkOffsets watermarks;
                try
                {
                    watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(name, partition.Partition), connection.Timeout);
                }
                catch (KafkaException e)
                {
                    throw connection.Unreachable(e);
                }

                await output.WriteLineAsync(
                    $"partition={partition.Partition} leader={partition.Leader} replicas={string.Join(',', partition.Replicas)} "
                    + $"isr={string.Join(',', partition.InSyncReplicas)} low-watermark={watermarks.Low.Value} high-watermark={watermarks.High.Value}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command CreateTopic()
    {
        var cluster = new ClusterOptions();
        var timeout = TimeoutOption();
        var topic = CommandArguments.Topic("The topic to create.");
        var partitions = CommandArguments.Count("--partitions", "The number of partitions. [default: 1]", minimum: 1);
        var replicationFactor = new Option<int?>("--replication-factor")
        {
            Description = "How many brokers hold each partition; -1 takes the cluster's default (default.replication.factor). [default: -1]",
            HelpName = "count",
        };
        replicationFactor.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value and (0 or < -1))
            {
                result.AddError($"--replication-factor must be at least 1, or -1 for the cluster's default; {value} was given.");
            }
        });
        var configs = CommandArguments.KeyValues("--config", "A topic config, e.g. retention.ms=86400000; repeat for more.", "cleanup.policy=compact");
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed without changing anything when the topic exists." };
        var command = new Command(
            "create",
            "Creates a topic. An existing topic is an error (unless --if-not-exists); its partitions and configs are never changed.")
        {
            topic,
            partitions,
            replicationFactor,
            configs,
            ifNotExists,
            timeout,
        };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var spec = new TopicSpecification
            {
                Name = parse.GetValue(topic)!,
                NumPartitions = parse.GetValue(partitions) ?? 1,
                ReplicationFactor = (short)(parse.GetValue(replicationFactor) ?? -1),
                Configs = (parse.GetValue(configs) ?? []).ToDictionary(StringComparer.Ordinal),
            };
            return await CreateAsync(connection, spec, parse.GetValue(ifNotExists), Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> CreateAsync(
        KafkaConnection connection, TopicSpecification spec, bool ifNotExists, TextWriter messages, CancellationToken cancellationToken)
    {
        using var admin = connection.CreateAdmin();
        var existing = connection.Describe(admin, spec.Name);
        if (existing is not null)
        {
            return Exists(existing, ifNotExists, messages);
        }

        var embedded = await EmbeddedClusterClient.FindAsync(connection.Servers, cancellationToken).ConfigureAwait(false);
        if (embedded is not null)
        {
            if (spec.Configs.Count > 0)
            {
                throw new CommandException(
                    $"the cluster at {connection.Servers} is an embedded cluster, which keeps no topic configs; create \"{spec.Name}\" without --config.");
            }

            var refusal = await embedded.CreateTopicAsync(spec.Name, spec.NumPartitions, spec.ReplicationFactor, connection.Timeout, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                throw new CommandException($"creating topic \"{spec.Name}\" failed: {refusal}");
            }
        }
        else
        {
            IReadOnlyList<string> created;
            try
            {
                created = await admin.CreateTopicsIfMissingAsync([spec], connection.Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                throw new CommandException($"{e.Message.TrimEnd('.')} (cluster at {connection.Servers}).");
            }

            if (created.Count == 0)
            {
                // Someone else created it between the two requests.
                return Exists(connection.RequireTopic(admin, spec.Name), ifNotExists, messages);
            }
        }

        var info = connection.RequireTopic(admin, spec.Name);
        await messages.WriteLineAsync(
            $"Created topic {info.Name} with {info.PartitionCount} partition(s), replication factor {info.ReplicationFactor}.").ConfigureAwait(false);
        return 0;
    }

    private static int Exists(KafkaTopicInfo existing, bool ifNotExists, TextWriter messages)
    {
        var description = $"topic \"{existing.Name}\" already exists with {existing.PartitionCount} partition(s), replication factor {existing.ReplicationFactor}";
        if (!ifNotExists)
        {
            throw new CommandException(description + "; nothing was changed (--if-not-exists accepts an existing topic).");
        }

        messages.WriteLine(description + "; nothing was changed.");
        return 0;
    }
}
