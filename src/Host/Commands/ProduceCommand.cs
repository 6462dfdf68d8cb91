using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines produce TOPIC</c>: sends records from <c>--value</c> arguments, stdin (one per line) or a generator,
/// with keys and headers, awaits every delivery and prints where each record was stored (or a per-partition summary
/// with <c>--quiet</c>). A failed delivery names the topic and the reason and makes the exit code 1.
/// </summary>
internal static class ProduceCommand
{
    private const int DefaultValueSize = 100;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = CommandArguments.Topic("The topic to produce to (it must exist).");
        var values = new Option<string[]>("--value")
        {
            Description = "A record's value; repeat for more records. Without --value or --generate, records are read from stdin, one per line.",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "text",
        };
        var key = new Option<string?>("--key") { Description = "The key of every record that has none of its own.", HelpName = "text" };
        var headers = CommandArguments.KeyValues("--header", "A header added to every record; repeat for more.", "trace-id=42");
        var keySeparator = new Option<string?>("--key-separator")
        {
            Description = "Read stdin lines as KEY<separator>VALUE, e.g. --key-separator '\\t' (\\t is a tab).",
            HelpName = "separator",
        };
        var generate = CommandArguments.Count("--generate", "Generate this many records instead of reading them.", minimum: 1);
        var keys = CommandArguments.Count("--keys", "With --generate: spread the records over this many keys, key-0 … key-(K-1).", minimum: 1);
        var valueSize = CommandArguments.Count("--value-size", $"With --generate: the size of each value in characters. [default: {DefaultValueSize}]", minimum: 0, helpName: "chars");
        var partition = CommandArguments.Count("--partition", "Produce to this partition instead of the one the key selects.", minimum: 0, helpName: "partition");
        var quiet = new Option<bool>("--quiet") { Description = "Print a summary per partition instead of one line per record." };
        var timeout = DurationOption.Create(
            "--timeout", "How long to wait for the cluster, and for each delivery unless the configuration sets message.timeout.ms.", DefaultTimeout);

        var command = new Command(
            "produce",
            "Produces records and waits until each one is acknowledged (acks=all by default); prints partition and offset per record.")
        {
            topic, values, key, headers, keySeparator, generate, keys, valueSize, partition, quiet, timeout,
        };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            var given = (Option option) => result.GetResult(option) is { Implicit: false };
            if (given(values) && given(generate))
            {
                result.AddError("--value and --generate are two sources of records; give one of them.");
            }

            if (given(keySeparator) && (given(values) || given(generate)))
            {
                result.AddError("--key-separator applies to records read from stdin; it cannot be combined with --value or --generate.");
            }

            if (given(keySeparator) && string.IsNullOrEmpty(result.GetValue(keySeparator)))
            {
                result.AddError("--key-separator is empty.");
            }

            if ((given(keys) || given(valueSize)) && !given(generate))
            {
                result.AddError("--keys and --value-size shape generated records; they need --generate.");
            }

            if (given(keys) && given(key))
            {
                result.AddError("--key and --keys both set the keys of generated records; give one of them.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var name = parse.GetValue(topic)!;
            var recordHeaders = new Headers();
            foreach (var (headerKey, headerValue) in parse.GetValue(headers) ?? [])
            {
                recordHeaders.Add(headerKey, Encoding.UTF8.GetBytes(headerValue));
            }

            var fixedKey = parse.GetValue(key);
            using var stdin = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
            var records = parse.GetValue(generate) is { } count
                ? ProduceInput.Generate(count, parse.GetValue(keys), fixedKey, parse.GetValue(valueSize) ?? DefaultValueSize)
                : parse.GetValue(values) is { Length: > 0 } texts
                    ? ProduceInput.FromValues(texts, fixedKey)
                    : ProduceInput.FromLines(stdin, parse.GetValue(keySeparator) is { } s ? ProduceInput.Unescape(s) : null, fixedKey, cancellationToken);

            if (parse.GetValue(generate) is null && parse.GetValue(values) is not { Length: > 0 } && !Console.IsInputRedirected)
            {
                await Console.Error.WriteLineAsync("Reading records from the terminal, one per line; Ctrl+D ends the input.").ConfigureAwait(false);
            }

            using var output = StandardOutput.Open();
            var run = new ProduceRun(connection, name, parse.GetValue(partition), recordHeaders, parse.GetValue(quiet), output, Console.Error);
            return await run.RunAsync(records, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>One produce: the producer, the window of deliveries in flight, and what was delivered where.</summary>
    private sealed class ProduceRun(
        KafkaConnection connection, string topic, int? partition, Headers headers, bool quiet, TextWriter output, TextWriter messages)
    {
        private readonly Queue<(long Number, Task<DeliveryResult<string?, string?>> Delivery)> _inFlight = new();
        private readonly SortedDictionary<int, (long Records, long First, long Last)> _partitions = [];
        private long _sent;
        private long _delivered;
        private (long Number, string Reason)? _failure;

        public async Task<int> RunAsync(IAsyncEnumerable<(string? Key, string Value)> records, CancellationToken cancellationToken)
        {
            var settings = connection.ProducerSettings();
            if (settings.GetProperty("message.timeout.ms") is null && settings.GetProperty("delivery.timeout.ms") is null)
            {
                // Without it librdkafka retries an undeliverable record for five minutes before it reports the failure.
                settings = settings.WithProperty("message.timeout.ms", ((long)connection.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }

            using var producer = KafkaProducer.CreateProducer(settings, connection.Log);
            TopicPartition? target = null;
            using (var admin = new KafkaAdmin(producer.Handle))
            {
                var info = connection.RequireTopic(admin, topic);
                if (partition is { } p)
                {
                    if (p >= info.PartitionCount)
                    {
                        throw new CommandException($"--partition {p} does not exist: topic \"{topic}\" has partitions 0 to {info.PartitionCount - 1}.");
                    }

                    target = new TopicPartition(topic, p);
                }
            }

            var interrupted = false;
            CommandException? badInput = null;
            try
            {
                await foreach (var (key, value) in records.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (_failure is not null)
                    {
                        break;
                    }

                    var message = new Message<string?, string?> { Key = key, Value = value, Headers = headers };
                    var number = ++_sent;
                    Task<DeliveryResult<string?, string?>> delivery;
                    try
                    {
                        delivery = target is null ? producer.ProduceAsync(topic, message, CancellationToken.None) : producer.ProduceAsync(target, message, CancellationToken.None);
                    }
                    catch (ProduceException<string?, string?> e)
                    {
                        delivery = Task.FromException<DeliveryResult<string?, string?>>(e);
                    }

                    _inFlight.Enqueue((number, delivery));
                    if (_inFlight.Count >= settings.Parallelism)
                    {
                        await CompleteOldestAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }
            catch (CommandException e)
            {
                // A malformed input line: the records before it are in flight and are still awaited and reported.
                badInput = e;
            }

            while (_inFlight.Count > 0)
            {
                await CompleteOldestAsync().ConfigureAwait(false);
            }

            await PrintSummaryAsync().ConfigureAwait(false);
            if (badInput is not null)
            {
                throw badInput;
            }

            if (_failure is { } failure)
            {
                throw new CommandException(
                    $"delivery to topic \"{topic}\" failed for record {failure.Number}: {failure.Reason}; {_delivered} of {_sent} record(s) were delivered.");
            }

            interrupted |= cancellationToken.IsCancellationRequested;
            await messages.WriteLineAsync($"Produced {_delivered} record(s) to topic {topic}{(interrupted ? " before the interruption" : string.Empty)}.").ConfigureAwait(false);
            return interrupted ? 130 : 0;
        }

        private async Task CompleteOldestAsync()
        {
            var (number, delivery) = _inFlight.Dequeue();
            if (!delivery.IsCompleted)
            {
                // Show what is known before waiting.
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            try
            {
                var result = await delivery.ConfigureAwait(false);
                _delivered++;
                var p = result.Partition.Value;
                var offset = result.Offset.Value;
                if (quiet)
                {
                    _partitions[p] = _partitions.TryGetValue(p, out var seen) ? (seen.Records + 1, Math.Min(seen.First, offset), Math.Max(seen.Last, offset)) : (1, offset, offset);
                }
                else
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"partition={p} offset={offset}")).ConfigureAwait(false);
                }
            }
            catch (ProduceException<string?, string?> e)
            {
                _failure ??= (number, $"{e.Error.Reason} ({e.Error.Code})");
            }
        }

        private async Task PrintSummaryAsync()
        {
            foreach (var (p, (records, first, last)) in _partitions)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"partition={p} records={records} first-offset={first} last-offset={last}")).ConfigureAwait(false);
            }

            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
