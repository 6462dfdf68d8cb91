using System.CommandLine;
using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines consume TOPIC</c>: prints records (partition, offset, timestamp, key, headers, value) as text or JSON
/// lines, either as a member of a consumer group (<c>--group</c>; the offsets of printed records are committed) or from
/// chosen offsets without a group. Stops after <c>--max</c> records, after <c>--timeout</c> without a record, or on
/// Ctrl+C, and exits with 0.
/// </summary>
internal static class ConsumeCommand
{
    /// <summary>How long one poll blocks at most, so cancellation and the idle timeout are noticed promptly.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan DefaultClusterTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = CommandArguments.Topic("The topic to consume.");
        var group = new Option<string?>("--group")
        {
            Description = "Consume as a member of this consumer group, starting at its committed offsets, and commit what was printed.",
            HelpName = "group-id",
        };
        var fromBeginning = new Option<bool>("--from-beginning")
        {
            Description = "Start at the oldest record (with --group: where the group has no committed offset). Default: only new records.",
        };
        var offsets = new Option<PartitionOffset[]>("--offset")
        {
            Description = "Read only this partition, from this offset, as partition:offset (e.g. 0:42); repeat for more partitions.",
            HelpName = "partition:offset",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = result =>
            {
                var parsed = new List<PartitionOffset>();
                foreach (var token in result.Tokens)
                {
                    var parts = token.Value.Split(':');
                    if (parts.Length != 2 || !CommandArguments.TryParseNonNegative(parts[0], out var p) || p > int.MaxValue
                        || !CommandArguments.TryParseNonNegative(parts[1], out var o))
                    {
                        result.AddError($"malformed --offset \"{token.Value}\": expected partition:offset, two whole numbers of at least 0, e.g. --offset 0:42.");
                        return [];
                    }

                    parsed.Add(new PartitionOffset((int)p, o));
                }

                return [.. parsed];
            },
        };
        var max = CommandArguments.Count("--max", "Stop after printing this many records.", minimum: 1);
        var timeout = DurationOption.Create(
            "--timeout",
            $"Stop when no record arrived for this long (default: run until --max or Ctrl+C); also how long to wait for the cluster (default {Durations.Format(DefaultClusterTimeout)}).",
            defaultValue: null);
        var format = new Option<string>("--format")
        {
            Description = "text: one line of name=value fields per record; json: one JSON object per line. [default: text]",
            HelpName = "text|json",
        };
        format.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && value is not ("text" or "json"))
            {
                result.AddError($"--format must be text or json; \"{value}\" was given.");
            }
        });

        var command = new Command("consume", "Prints a topic's records: partition, offset, timestamp, key, headers and value, one record per line.")
        {
            topic, group, fromBeginning, offsets, max, timeout, format,
        };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            var given = (Option option) => result.GetResult(option) is { Implicit: false };
            if (given(offsets) && (given(group) || given(fromBeginning)))
            {
                result.AddError("--offset chooses where to start; it cannot be combined with --group or --from-beginning.");
            }

            if (given(group) && string.IsNullOrWhiteSpace(result.GetValue(group)))
            {
                result.AddError("--group is empty.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var idle = parse.GetValue(timeout);
            var connection = cluster.Resolve(parse, idle ?? DefaultClusterTimeout, Console.Error);
            using var output = StandardOutput.Open();
            var run = new ConsumeRun(
                connection,
                parse.GetValue(topic)!,
                parse.GetValue(group),
                parse.GetValue(fromBeginning),
                parse.GetValue(offsets) ?? [],
                parse.GetValue(max),
                idle,
                parse.GetValue(format) == "json" ? RecordFormat.Json : RecordFormat.Text,
                output);

            // The client blocks while it polls; a thread of its own keeps the invocation's cancellation responsive.
            var printed = await Task.Factory.StartNew(
                () => run.Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"Printed {printed} record(s) from topic {parse.GetValue(topic)}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>A partition and the offset to start reading it at.</summary>
    private sealed record PartitionOffset(int Partition, long Offset);

    /// <summary>One consume: the consumer, what was printed and, in a group, the offsets to commit.</summary>
    private sealed class ConsumeRun(
        KafkaConnection connection,
        string topic,
        string? group,
        bool fromBeginning,
        IReadOnlyList<PartitionOffset> offsets,
        int? max,
        TimeSpan? idleTimeout,
        RecordFormat format,
        TextWriter output)
    {
        private readonly Dictionary<TopicPartition, Offset> _uncommitted = [];
        private int _printedSinceCommit;

        public long Run(CancellationToken cancellationToken)
        {
            var settings = connection.ConsumerSettings()
                .WithGroupId(group ?? "pipelines-consume-" + Guid.NewGuid().ToString("N"))
                .WithProperty("enable.auto.commit", "false");
            if (group is not null && fromBeginning)
            {
                settings = settings.WithProperty("auto.offset.reset", "earliest");
            }

            var committer = CommitterSettings.Create(connection.Config);
            var builder = connection.ConsumerBuilder(settings);
            if (group is not null)
            {
                // Printed records of partitions that move to another member are committed before they move.
                builder.SetPartitionsRevokedHandler((consumer, revoked) => Commit(consumer, revoked.Select(p => p.TopicPartition).ToHashSet()));
                builder.SetPartitionsLostHandler((_, lost) =>
                {
                    foreach (var p in lost)
                    {
                        _uncommitted.Remove(p.TopicPartition);
                    }
                });
            }

            using var consumer = builder.Build();
            Start(consumer);

            long printed = 0;
            var sinceRecord = Stopwatch.StartNew();
            var sinceCommit = Stopwatch.StartNew();
            try
            {
                while (!cancellationToken.IsCancellationRequested && (max is null || printed < max))
                {
                    var record = consumer.Consume(TimeSpan.Zero);
                    if (record is null)
                    {
                        // Nothing buffered: show what was printed, commit it when due, then wait for more.
                        output.Flush();
                        if (idleTimeout is { } idle && sinceRecord.Elapsed >= idle)
                        {
                            break;
                        }

                        if (group is not null && sinceCommit.Elapsed >= committer.MaxInterval)
                        {
                            Commit(consumer, null);
                            sinceCommit.Restart();
                        }

                        var wait = idleTimeout is { } limit ? Min(PollSlice, limit - sinceRecord.Elapsed) : PollSlice;
                        record = consumer.Consume(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                        if (record is null)
                        {
                            continue;
                        }
                    }

                    if (record.IsPartitionEOF)
                    {
                        continue;
                    }

                    output.WriteLine(RecordFormatter.Format(record, format));
                    printed++;
                    sinceRecord.Restart();
                    if (group is not null)
                    {
                        _uncommitted[record.TopicPartition] = record.Offset + 1;
                        if (++_printedSinceCommit >= committer.MaxBatch || sinceCommit.Elapsed >= committer.MaxInterval)
                        {
                            Commit(consumer, null);
                            sinceCommit.Restart();
                        }
                    }
                }
            }
            catch (ConsumeException e)
            {
                output.Flush();
                throw new CommandException($"consuming topic \"{topic}\" failed: {e.Error.Reason} ({e.Error.Code}); {printed} record(s) were printed.");
            }

            output.Flush();
            if (group is not null)
            {
                Commit(consumer, null);
                consumer.Close();
            }

            return printed;
        }

        private void Start(IConsumer<string?, string?> consumer)
        {
            KafkaTopicInfo info;
            using (var admin = new KafkaAdmin(consumer.Handle))
            {
                info = connection.RequireTopic(admin, topic);
            }

            if (group is not null)
            {
                consumer.Subscribe(topic);
                return;
            }

            foreach (var requested in offsets)
            {
                if (requested.Partition >= info.PartitionCount)
                {
                    throw new CommandException(
                        $"--offset {requested.Partition}:{requested.Offset}: topic \"{topic}\" has partitions 0 to {info.PartitionCount - 1}.");
                }
            }

            consumer.Assign(offsets.Count > 0
                ? offsets.Select(o => new TopicPartitionOffset(topic, o.Partition, o.Offset))
                : info.Partitions.Select(p => new TopicPartitionOffset(topic, p, fromBeginning ? Offset.Beginning : Offset.End)));
        }

        /// <summary>Commits the next offset after each printed record, of every partition or only of <paramref name="only"/>.</summary>
        private void Commit(IConsumer<string?, string?> consumer, HashSet<TopicPartition>? only)
        {
            var offsetsToCommit = _uncommitted
                .Where(p => only is null || only.Contains(p.Key))
                .Select(p => new TopicPartitionOffset(p.Key, p.Value))
                .ToList();
            if (offsetsToCommit.Count == 0)
            {
                return;
            }

            try
            {
                consumer.Commit(offsetsToCommit);
            }
            catch (KafkaException e)
            {
                throw new CommandException(
                    $"committing the offsets of group \"{group}\" on topic \"{topic}\" failed: {e.Error.Reason} ({e.Error.Code}); the records printed since the last commit will be read again.");
            }

            foreach (var committed in offsetsToCommit)
            {
                _uncommitted.Remove(committed.TopicPartition);
            }

            _printedSinceCommit = 0;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
