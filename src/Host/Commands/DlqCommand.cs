using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Pipelines.Configuration.Conversion;
using Pipelines.Delay;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines dlq list|replay TOPIC</c>: lists the dead letters of a dead-letter topic (where each came from, why it
/// failed, its key, headers and value), and sends them, all or those the filters match, back to their original topic
/// to be processed again (<see cref="DeadLetterReplayer"/>). The dead-letter topic is read, never changed.
/// </summary>
internal static class DlqCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var command = new Command("dlq", "Lists a dead-letter topic's dead letters and replays them to their original topics.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Replay());
        return command;
    }

    private static Command List()
    {
        var options = new DlqOptions("The dead-letter topic to list (e.g. billing-dlt).");
        var command = new Command(
            "list",
            "Prints the dead letters the filters match, one per line: partition, offset, original topic, partition and offset, group, attempt, reason, exception, failure times, key, headers and value.");
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var run = options.Open(parse);
            await using var disposeRun = run.ConfigureAwait(false);
            var letters = await run.SelectAsync(cancellationToken).ConfigureAwait(false);
            using var output = StandardOutput.Open();
            foreach (var letter in letters)
            {
                await output.WriteLineAsync(DeadLetterFormatter.Format(letter, run.Format)).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"Listed {letters.Count} dead letter(s) of topic {run.Topic}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Replay()
    {
        var options = new DlqOptions("The dead-letter topic to replay from (e.g. billing-dlt).");
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Print the dead letters that would be replayed (as list does) and send nothing.",
        };
        var command = new Command(
            "replay",
            "Sends the dead letters the filters match back to their original topics with their original key, value and headers (no pipelines- header), "
            + "and prints read=… matched=… replayed=… skipped=… once every one is acknowledged. The dead-letter topic is not changed.")
        {
            dryRun,
        };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var run = options.Open(parse);
            await using var disposeRun = run.ConfigureAwait(false);
            var letters = await run.SelectAsync(cancellationToken).ConfigureAwait(false);
            run.RequireOriginalTopics(letters);
            using var output = StandardOutput.Open();
            if (parse.GetValue(dryRun))
            {
                foreach (var letter in letters)
                {
                    await output.WriteLineAsync(DeadLetterFormatter.Format(letter, run.Format)).ConfigureAwait(false);
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"Dry run: {letters.Count} dead letter(s) of topic {run.Topic} would be replayed; nothing was sent.").ConfigureAwait(false);
                return 0;
            }

            var result = await run.ReplayAsync(letters, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"read={result.Read} matched={result.Matched} replayed={result.Replayed} skipped={result.Skipped}")).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"Replayed {result.Replayed} dead letter(s) of topic {run.Topic} to their original topics.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>The arguments both subcommands take: the topic, the filters, the output format and the cluster.</summary>
    private sealed class DlqOptions
    {
        private readonly ClusterOptions _cluster = new();
        private readonly Argument<string> _topic;

        private readonly Option<string?> _key = new("--key")
        {
            Description = "Only dead letters with this key (UTF-8 text).",
            HelpName = "text",
        };

        private readonly Option<string?> _exception = new("--exception")
        {
            Description = "Only dead letters whose last error has this full type name, e.g. System.TimeoutException.",
            HelpName = "type",
        };

        private readonly Option<string?> _originalTopic = new("--original-topic")
        {
            Description = "Only dead letters first consumed from this topic.",
            HelpName = "topic",
        };

        private readonly Option<DateTimeOffset?> _from = TimeOption("--from", "Only dead letters whose last failure is at or after this time");

        private readonly Option<DateTimeOffset?> _to = TimeOption("--to", "Only dead letters whose last failure is before this time");

        private readonly Option<int?> _max = CommandArguments.Count("--max", "At most this many dead letters: the first matches in partition and offset order.", minimum: 1);

        private readonly Option<TimeSpan?> _timeout = DurationOption.Create(
            "--timeout", "How long reading the topic to its end, and each acknowledgement of a replay, may take.", DefaultTimeout);

        private readonly Option<string> _format = new("--format")
        {
            Description = "text: one line of name=value fields per dead letter; json: one JSON object per line (with the stack trace). [default: text]",
            HelpName = "text|json",
        };

        public DlqOptions(string topicDescription)
        {
            _topic = CommandArguments.Topic(topicDescription);
            _format.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<string>() is { } value && value is not ("text" or "json"))
                {
                    result.AddError($"--format must be text or json; \"{value}\" was given.");
                }
            });
        }

        public void AddTo(Command command)
        {
            command.Arguments.Add(_topic);
            command.Options.Add(_key);
            command.Options.Add(_exception);
            command.Options.Add(_originalTopic);
            command.Options.Add(_from);
            command.Options.Add(_to);
            command.Options.Add(_max);
            command.Options.Add(_timeout);
            command.Options.Add(_format);
            _cluster.AddTo(command);
            command.Validators.Add(result =>
            {
                foreach (var option in new[] { _key, _exception, _originalTopic })
                {
                    if (result.GetResult(option) is { Implicit: false } && string.IsNullOrEmpty(result.GetValue(option)))
                    {
                        result.AddError($"{option.Name} is empty.");
                    }
                }
            });
        }

        public DlqRun Open(ParseResult parse)
        {
            // Checked here rather than in a validator: a validator runs even when --from or --to could not be parsed.
            if (parse.GetValue(_from) is { } from && parse.GetValue(_to) is { } to && from >= to)
            {
                throw new CommandException($"--from ({Format(from)}) must be before --to ({Format(to)}).");
            }

            var connection = _cluster.Resolve(parse, parse.GetValue(_timeout) ?? DefaultTimeout, Console.Error);
            var filter = new DeadLetterFilter
            {
                Key = parse.GetValue(_key) is { } key ? Encoding.UTF8.GetBytes(key) : null,
                ExceptionType = parse.GetValue(_exception),
                OriginalTopic = parse.GetValue(_originalTopic),
                FailedFrom = parse.GetValue(_from),
                FailedBefore = parse.GetValue(_to),
            };
            return new DlqRun(
                connection,
                parse.GetValue(_topic)!,
                filter,
                parse.GetValue(_max),
                parse.GetValue(_format) == "json" ? RecordFormat.Json : RecordFormat.Text);
        }

        /// <summary>A time option: ISO 8601 (UTC when no offset is given), or a duration with a unit meaning that long ago.</summary>
        private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
        {
            Description = $"{description}: ISO 8601 (e.g. 2026-12-02T10:00:00Z; UTC without an offset), or a duration meaning that long ago (e.g. 2h).",
            HelpName = "time",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (text.Length > 0 && text.All(char.IsAsciiDigit))
                {
                    result.AddError($"{name} {text}: give a time (e.g. 2026-12-02T10:00:00Z) or a duration with a unit (e.g. {text}m).");
                    return null;
                }

                if (HoconDurations.TryParse(text, allowInfinite: false, out var ago, out _))
                {
                    return DateTimeOffset.UtcNow - ago;
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                {
                    return time;
                }

                result.AddError($"{name} \"{text}\": not a time; give ISO 8601 (e.g. 2026-12-02T10:00:00Z) or a duration meaning that long ago (e.g. 2h).");
                return null;
            },
        };

        private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>One list or replay: the replayer and its producer, the topic and what to select.</summary>
    private sealed class DlqRun : IAsyncDisposable
    {
        private readonly KafkaConnection _connection;
        private readonly DeadLetterFilter _filter;
        private readonly int? _max;
        private readonly IProducer<byte[], byte[]> _producer;
        private readonly DeadLetterReplayer _replayer;

        public DlqRun(KafkaConnection connection, string topic, DeadLetterFilter filter, int? max, RecordFormat format)
        {
            _connection = connection;
            Topic = topic;
            _filter = filter;
            _max = max;
            Format = format;
            var settings = ProducerSettings<byte[], byte[]>.Create(connection.Config, null, null)
                .WithBootstrapServers(connection.ProducerSettings().BootstrapServers!);
            if (settings.GetProperty("message.timeout.ms") is null && settings.GetProperty("delivery.timeout.ms") is null)
            {
                // Without it librdkafka retries an undeliverable replay for five minutes before it reports the failure.
                settings = settings.WithProperty("message.timeout.ms", ((long)connection.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }

            _producer = KafkaProducer.CreateProducer(settings, connection.Log);
            _replayer = new DeadLetterReplayer(settings, _producer, metrics: null, connection.Timeout);
        }

        public string Topic { get; }

        public RecordFormat Format { get; }

        /// <summary>The dead letters the filters select, in partition and offset order, at most <c>--max</c>.</summary>
        public async Task<IReadOnlyList<DeadLetter>> SelectAsync(CancellationToken cancellationToken)
        {
            using (var admin = new KafkaAdmin(_producer.Handle))
            {
                _connection.RequireTopic(admin, Topic);
            }

            IReadOnlyList<DeadLetter> letters;
            try
            {
                letters = await _replayer.ListAsync(Topic, _filter, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KafkaHeaderException or TimeoutException or KafkaException)
            {
                throw new CommandException($"reading the dead-letter topic \"{Topic}\" failed: {e.Message}");
            }

            return _max is { } max && letters.Count > max ? [.. letters.Take(max)] : letters;
        }

        /// <summary>Fails the command, before anything is sent, when an original topic the letters go back to does not exist.</summary>
        public void RequireOriginalTopics(IReadOnlyList<DeadLetter> letters)
        {
            using var admin = new KafkaAdmin(_producer.Handle);
            foreach (var group in letters.GroupBy(l => l.Failure.OriginalTopic, StringComparer.Ordinal))
            {
                if (_connection.Describe(admin, group.Key) is null)
                {
                    throw new CommandException(
                        $"the original topic \"{group.Key}\" of {group.Count()} dead letter(s) of \"{Topic}\" does not exist on the cluster at {_connection.Servers}; "
                        + $"nothing was replayed. Create it (pipelines topics create {group.Key} --partitions N) or leave those letters out (--original-topic).");
                }
            }
        }

        /// <summary>Replays exactly <paramref name="letters"/> (those <see cref="SelectAsync"/> chose), identified by where they are stored.</summary>
        public async Task<DeadLetterReplayResult> ReplayAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
        {
            // The replayer reads the topic again; naming the chosen letters by their coordinates keeps --max's choice and
            // leaves out letters written since the selection.
            var chosen = letters.Select(l => (l.Partition, l.Offset)).ToHashSet();
            var selection = _filter with { Where = letter => chosen.Contains((letter.Partition, letter.Offset)) };
            try
            {
                return await _replayer.ReplayAsync(Topic, selection, cancellationToken).ConfigureAwait(false);
            }
            catch (DeadLetterReplayException e)
            {
                throw new CommandException($"replaying dead letters of \"{Topic}\" failed: {e.Message}");
            }
            catch (Exception e) when (e is KafkaHeaderException or TimeoutException or KafkaException)
            {
                throw new CommandException($"replaying dead letters of \"{Topic}\" failed: {e.Message}; nothing was replayed.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            // Every replay was acknowledged or failed the command; nothing is left to flush.
            await Task.Run(_producer.Dispose).ConfigureAwait(false);
        }
    }
}
