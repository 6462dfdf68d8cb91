using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Pipelines.Host.Topology;
using Pipelines.Hosting;

namespace Pipelines.Host.Commands;

/// <summary>
/// The host's main job, started after the ActorSystem and its pipelines: says what runs, prints a status line per
/// interval until the host stops, and stops the host at once when no pipeline is configured.
/// </summary>
internal sealed class MainJobService(
    IPipelineRegistry registry, TopologyCounters counters, IHostApplicationLifetime lifetime, MainJobService.Options options) : BackgroundService
{
    private ExceptionDispatchInfo? _failure;

    /// <summary>The cluster in use, whether the job started it, how often to print the status line, and where messages go.</summary>
    internal sealed record Options(string? BootstrapServers, bool Embedded, TimeSpan StatusInterval, TextWriter Messages);

    /// <summary>The job's exit code once the host has stopped; rethrows what made the job fail.</summary>
    public int Result()
    {
        _failure?.Throw();
        return 0;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var messages = options.Messages;
        var keepRunning = false;
        try
        {
            if (!options.Embedded && !string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                await messages.WriteLineAsync($"Using the Kafka cluster at {MainJob.BootstrapServersVariable}={options.BootstrapServers}.").ConfigureAwait(false);
            }

            var names = registry.Names;
            if (names.Count == 0)
            {
                await messages.WriteLineAsync("No pipelines are configured yet; nothing to run.").ConfigureAwait(false);
                return;
            }

            keepRunning = true;
            await messages.WriteLineAsync($"Running pipelines: {string.Join(", ", names)}. Ctrl+C or SIGTERM drains them and stops.").ConfigureAwait(false);
            if (options.StatusInterval > TimeSpan.Zero)
            {
                await MainJobStatus.RunAsync(registry, counters, options.StatusInterval, messages, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                // The live view (pipelines.view) shows the pipelines; the job only waits for the host to stop.
                var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await using (stoppingToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), stopped).ConfigureAwait(false))
                {
                    await stopped.Task.ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            // Reported by the command once the host (and with it the ActorSystem) has stopped.
            _failure = ExceptionDispatchInfo.Capture(e);
            keepRunning = false;
        }
        finally
        {
            if (!keepRunning)
            {
                lifetime.StopApplication();
            }
        }
    }
}

