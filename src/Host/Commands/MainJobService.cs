using System.Runtime.ExceptionServices;
using Akka.Actor;
using Microsoft.Extensions.Hosting;

namespace Pipelines.Host.Commands;

/// <summary>
/// The host's main job, started after the ActorSystem: runs an embedded Kafka cluster until the host stops when no
/// cluster is configured, and stops the host when there is nothing (more) to run.
/// </summary>
internal sealed class MainJobService(ActorSystem system, IHostApplicationLifetime lifetime, MainJobService.Options options) : BackgroundService
{
    private int _exitCode;
    private ExceptionDispatchInfo? _failure;

    /// <summary>The cluster to use (null or blank: an embedded one) and where output and messages go.</summary>
    internal sealed record Options(string? BootstrapServers, TextWriter Output, TextWriter Messages);

    /// <summary>The job's exit code once the host has stopped; rethrows what made the job fail.</summary>
    public int Result()
    {
        _failure?.Throw();
        return _exitCode;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var messages = options.Messages;
        try
        {
            await messages.WriteLineAsync($"Actor system '{system.Name}' is running (akka.loglevel = {system.Settings.LogLevel}).").ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                await messages.WriteLineAsync($"Using the Kafka cluster at {MainJob.BootstrapServersVariable}={options.BootstrapServers}.").ConfigureAwait(false);
                await messages.WriteLineAsync("No pipelines are configured yet; nothing to run.").ConfigureAwait(false);
                return;
            }

            await messages.WriteLineAsync($"{MainJob.BootstrapServersVariable} is not set: starting an embedded Kafka cluster.").ConfigureAwait(false);
            _exitCode = await EmbeddedBroker.RunAsync(BrokerCommand.DefaultBrokers, [], null, options.Output, messages, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Reported by the command once the host (and with it the ActorSystem) has stopped.
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
