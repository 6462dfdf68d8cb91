using System.CommandLine;
using Confluent.Kafka;
using Pipelines.Delay;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines cancel ID</c>: cancels a message scheduled with <c>pipelines schedule</c> (or the <see cref="DelayQueue"/>
/// API) and prints the outcome. Exit code 0 when the cancel was accepted (or the message was already cancelled), 2 when
/// the message was already delivered, is due, or is unknown, 1 on errors.
/// </summary>
internal static class CancelCommand
{
    /// <summary>The exit code of a cancel the queue answered but did not accept.</summary>
    public const int NotCancelled = 2;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var id = new Argument<DelayMessageId>("id")
        {
            Description = "The id schedule printed (26 characters).",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (!DelayMessageId.TryParse(text, out var parsed) || parsed.IsEmpty)
                {
                    result.AddError($"\"{text}\" is not a scheduled message's id: expected the {DelayMessageId.TextLength} characters schedule printed after id=.");
                    return default;
                }

                return parsed;
            },
        };
        var timeout = DurationOption.Create("--timeout", "How long to wait for the cluster (reading the cancellation topic, acknowledging the cancel).", DefaultTimeout);
        var command = new Command(
            "cancel",
            "Cancels a scheduled message: prints cancelled, already-cancelled, already-delivered, too-late (due; a router may be delivering it) or unknown.")
        {
            id, timeout,
        };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = cluster.Resolve(parse, parse.GetValue(timeout) ?? DefaultTimeout, Console.Error);
            var messageId = parse.GetValue(id);
            var queue = await DelayQueueConnection.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            await using var disposeQueue = queue.ConfigureAwait(false);
            CancelOutcome outcome;
            try
            {
                outcome = await queue.CancelAsync(messageId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DelayQueueException or KafkaException)
            {
                throw DelayQueueConnection.Failed($"cancelling {messageId}", e);
            }

            using var output = StandardOutput.Open();
            await output.WriteLineAsync($"id={messageId} outcome={Text(outcome)}").ConfigureAwait(false);
            var explanation = outcome switch
            {
                CancelOutcome.Cancelled => null,
                CancelOutcome.AlreadyCancelled => null,
                CancelOutcome.AlreadyDelivered => "the message was already delivered; nothing was changed.",
                CancelOutcome.TooLate => "the message is due: the cancel was recorded and stops a router that has not delivered it yet, but it may already be delivered.",
                _ => "no message with this id is known: it was never scheduled on this cluster, or its facts expired.",
            };
            if (explanation is not null)
            {
                await Console.Error.WriteLineAsync(explanation).ConfigureAwait(false);
                return NotCancelled;
            }

            return 0;
        });
        return command;
    }

    private static string Text(CancelOutcome outcome) => outcome switch
    {
        CancelOutcome.Cancelled => "cancelled",
        CancelOutcome.AlreadyCancelled => "already-cancelled",
        CancelOutcome.AlreadyDelivered => "already-delivered",
        CancelOutcome.TooLate => "too-late",
        _ => "unknown",
    };
}
