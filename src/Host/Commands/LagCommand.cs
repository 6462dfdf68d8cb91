using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines lag --group G [--topic T]</c>: per partition the group's committed offset, the high watermark and the
/// lag between them, and the total lag. Without <c>--topic</c>, every topic on which the group has committed offsets.
/// </summary>
internal static class LagCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var group = new Option<string>("--group") { Description = "The consumer group.", HelpName = "group-id", Required = true };
        group.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--group is empty.");
            }
        });
        var topic = new Option<string?>("--topic") { Description = "Only this topic (default: every topic the group has committed offsets on).", HelpName = "topic" };
        topic.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string?>() ?? string.Empty;
            if (KafkaTopicName.Problem(name) is { } problem)
            {
                result.AddError($"invalid topic name \"{name}\": {problem} ({KafkaTopicName.Rule}).");
            }
        });
        var timeout = DurationOption.Create("--timeout", "How long to wait for the cluster to answer.", DefaultTimeout);
        var command = new Command(
            "lag",
            "Prints a consumer group's lag per partition: committed offset, high watermark and lag (- where the group has committed nothing), then the total.")
        {
            group, topic, timeout,
        };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var rows = Measure(connection, parse.GetValue(group)!, parse.GetValue(topic), cancellationToken);
            using var output = StandardOutput.Open();
            await Print(rows, output).ConfigureAwait(false);
            var uncommitted = rows.Count(r => r.Committed is null);
            if (uncommitted > 0)
            {
                await Console.Error.WriteLineAsync(
                    $"{uncommitted} partition(s) have no committed offset of group {parse.GetValue(group)} (shown as -): where the group starts there depends on its auto.offset.reset.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>One partition's numbers; <see cref="Committed"/> is null when the group committed nothing there.</summary>
    private sealed record Row(string Topic, int Partition, long? Committed, long HighWatermark)
    {
        public long? Lag => Committed is { } committed ? Math.Max(0, HighWatermark - committed) : null;
    }

    private static List<Row> Measure(KafkaConnection connection, string group, string? onlyTopic, CancellationToken cancellationToken)
    {
        // The consumer only reads the group's offsets; it never subscribes, so it never joins the group.
        var settings = connection.ConsumerSettings().WithGroupId(group).WithProperty("enable.auto.commit", "false");
        using var consumer = connection.ConsumerBuilder(settings).Build();
        IReadOnlyList<KafkaTopicInfo> topics;
        using (var admin = new KafkaAdmin(consumer.Handle))
        {
            try
            {
                topics = onlyTopic is null ? admin.ListTopics(connection.Timeout) : [connection.RequireTopic(admin, onlyTopic)];
            }
            catch (KafkaException e)
            {
                throw connection.Unreachable(e);
            }
        }

        var partitions = topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
        var committed = Committed(connection, consumer, group, partitions);
        if (onlyTopic is null)
        {
            var withCommits = committed.Where(c => c.Value is not null).Select(c => c.Key.Topic).ToHashSet(StringComparer.Ordinal);
            if (withCommits.Count == 0)
            {
                throw new CommandException($"group \"{group}\" has no committed offsets on any topic of the cluster at {connection.Servers}.");
            }

            partitions = [.. partitions.Where(p => withCommits.Contains(p.Topic))];
        }

        var rows = new List<Row>(partitions.Count);
        foreach (var partition in partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WatermarkOffsets watermarks;
            try
            {
                watermarks = consumer.QueryWatermarkOffsets(partition, connection.Timeout);
            }
            catch (KafkaException e)
            {
                throw connection.Unreachable(e);
            }

            rows.Add(new Row(partition.Topic, partition.Partition.Value, committed[partition], watermarks.High.Value));
        }

        return rows;
    }

    private static Dictionary<TopicPartition, long?> Committed(
        KafkaConnection connection, IConsumer<string?, string?> consumer, string group, List<TopicPartition> partitions)
    {
        IEnumerable<(TopicPartition Partition, Offset Offset, Error Error)> answers;
        try
        {
            answers = consumer.Committed(partitions, connection.Timeout).Select(o => (o.TopicPartition, o.Offset, new Error(ErrorCode.NoError)));
        }
        catch (TopicPartitionOffsetException e)
        {
            answers = e.Results.Select(r => (r.TopicPartition, r.Offset, r.Error));
        }
        catch (KafkaException e)
        {
            throw connection.Unreachable(e);
        }

        var committed = new Dictionary<TopicPartition, long?>();
        foreach (var (partition, offset, error) in answers)
        {
            if (error.Code != ErrorCode.NoError)
            {
                throw new CommandException(
                    $"reading the committed offset of group \"{group}\" for {partition.Topic} partition {partition.Partition.Value} failed: {error.Reason} ({error.Code}).");
            }

            committed[partition] = offset.Value >= 0 ? offset.Value : null;
        }

        return committed;
    }

    private static async Task Print(List<Row> rows, TextWriter output)
    {
        string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
        var table = new List<string[]> { new[] { "TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG" } };
        table.AddRange(rows.Select(r => new[] { r.Topic, Text(r.Partition), Text(r.Committed), Text(r.HighWatermark), Text(r.Lag) }));
        table.Add(["TOTAL", string.Empty, string.Empty, string.Empty, Text(rows.Sum(r => r.Lag ?? 0))]);
        var widths = Enumerable.Range(0, 5).Select(column => table.Max(line => line[column].Length)).ToArray();
        foreach (var line in table)
        {
            var cells = line.Select((cell, column) => column == line.Length - 1 ? cell : cell.PadRight(widths[column]));
            await output.WriteLineAsync(string.Join("  ", cells).TrimEnd()).ConfigureAwait(false);
        }
    }
}
