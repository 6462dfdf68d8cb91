using System.CommandLine;
using Pipelines.Configuration;
using Pipelines.Host.Commands;

namespace Pipelines.Host;

/// <summary>The <c>pipelines</c> command-line application.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Pipelines: back-pressured stream processing on Apache Kafka.");
        MainJob.Configure(root);
        // One line per command; each command lives in Commands/.
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(ProduceCommand.Create());
        root.Subcommands.Add(ConsumeCommand.Create());
        root.Subcommands.Add(TopicsCommand.Create());
        root.Subcommands.Add(LagCommand.Create());
        root.Subcommands.Add(ScheduleCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(DlqCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());

        var invocation = new InvocationConfiguration
        {
            // Ctrl+C and SIGTERM cancel the running command; give it time to drain and stop before forcing an exit (the
            // main job's pipelines drain within pipelines.hosting.drain-timeout, 30 s by default).
            ProcessTerminationTimeout = TimeSpan.FromSeconds(45),
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            var parseResult = root.Parse(args);
            if (parseResult.Errors.Count > 0)
            {
                // stdout carries only data: bad input gets one line per problem on stderr, not the help text.
                foreach (var problem in parseResult.Errors)
                {
                    await Console.Error.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
                }

                return 1;
            }

            return await parseResult.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (CommandException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or HoconException or Confluent.Kafka.KafkaException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e)
        {
            // Anything else is a bug: report it whole.
            await Console.Error.WriteLineAsync($"unhandled error: {e}").ConfigureAwait(false);
            return 1;
        }
    }
}
