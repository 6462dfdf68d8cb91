using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Pipelines.Delay;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines schedule TOPIC --value V (--delay D | --at T)</c>: stores a message in the delay queue's tiers to be
/// delivered to TOPIC when due, and prints its id (for <c>pipelines cancel</c>), due time and where it was stored.
/// </summary>
internal static class ScheduleCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = CommandArguments.Topic("The topic the message is delivered to when due.");
        var value = new Option<string>("--value") { Description = "The message's value (UTF-8 text).", HelpName = "text", Required = true };
        var key = new Option<string?>("--key") { Description = "The message's key (UTF-8 text); none by default.", HelpName = "text" };
        var headers = CommandArguments.KeyValues("--header", "A header delivered with the message; repeat for more.", "trace-id=42");
        var delay = DurationOption.Create("--delay", "Deliver the message this long from now, e.g. 30s, 5m, 2h.", defaultValue: null);
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = "Deliver the message at this time, ISO 8601 with an offset, e.g. 2026-12-24T18:00:00Z.",
            HelpName = "time",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                {
                    result.AddError($"--at \"{text}\": not a time; give ISO 8601, e.g. 2026-12-24T18:00:00Z.");
                    return null;
                }

                return time;
            },
        };
        var partition = CommandArguments.Count("--partition", "Deliver to this partition of the topic instead of the one the key selects.", minimum: 0, helpName: "partition");
        var timeout = DurationOption.Create("--timeout", "How long to wait for the cluster to answer and acknowledge.", DefaultTimeout);
        var command = new Command(
            "schedule",
            "Schedules a message for delivery to a topic after a delay or at a time, through the delay queue's tier topics (created when missing); prints its id.")
        {
            topic, value, key, headers, delay, at, partition, timeout,
        };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            var given = (Option option) => result.GetResult(option) is { Implicit: false };
            if (given(delay) == given(at))
            {
                result.AddError("give exactly one of --delay (e.g. --delay 30s) and --at (e.g. --at 2026-12-24T18:00:00Z).");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var recordHeaders = new Headers();
            foreach (var (name, text) in parse.GetValue(headers) ?? [])
            {
                recordHeaders.Add(name, Encoding.UTF8.GetBytes(text));
            }

            var target = parse.GetValue(topic)!;
            var keyBytes = parse.GetValue(key) is { } k ? Encoding.UTF8.GetBytes(k) : null;
            var valueBytes = Encoding.UTF8.GetBytes(parse.GetValue(value)!);
            var request = parse.GetValue(at) is { } dueTime
                ? ScheduleRequest.At(target, keyBytes, valueBytes, dueTime, recordHeaders, parse.GetValue(partition))
                : ScheduleRequest.After(target, keyBytes, valueBytes, parse.GetValue(delay)!.Value, recordHeaders, parse.GetValue(partition));

            var queue = await DelayQueueConnection.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            await using var disposeQueue = queue.ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(connection.Timeout);
            ScheduledMessage scheduled;
            try
            {
                scheduled = await queue.ScheduleAsync(request, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CommandException(
                    $"scheduling to topic \"{target}\" was not acknowledged within {Durations.Format(connection.Timeout)} by the cluster at {connection.Servers}{LastError(connection)}.");
            }
            catch (Exception e) when (e is DelayQueueException or KafkaException)
            {
                throw DelayQueueConnection.Failed($"scheduling to topic \"{target}\"", e);
            }

            using var output = StandardOutput.Open();
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"id={scheduled.Id} due={scheduled.DueTime.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} target={scheduled.TargetTopic} tier={scheduled.Topic} partition={scheduled.Partition} offset={scheduled.Offset}")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string LastError(KafkaConnection connection) => connection.Log.LastError is { } error ? $" (last client error: {error})" : string.Empty;
}
