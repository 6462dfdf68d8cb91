using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Pipelines.Configuration;
using Pipelines.Host.Topology;
using Pipelines.Hosting;
using Pipelines.Hosting.Telemetry;
using Pipelines.Host.View;
using Pipelines.Kafka.Embedded;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Commands;

/// <summary>
/// What <c>pipelines</c> does with no command: a generic host running the ActorSystem (configured from
/// <c>config/akka.hocon</c> over the reference, through Akka.Hosting) and the example topology's pipelines against
/// <c>KAFKA_BOOTSTRAP_SERVERS</c>, or against an embedded cluster started in-process when that is unset. Ctrl+C and
/// SIGTERM stop the host, which runs Akka's CoordinatedShutdown: every pipeline drains, and the drain summary is printed.
/// </summary>
internal static class MainJob
{
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    private const string FetchWaitKey = "akka.kafka.consumer.kafka-clients.fetch.wait.max.ms";

    /// <summary>The name of the host's ActorSystem.</summary>
    public const string ActorSystemName = "pipelines";

    public static void Configure(RootCommand root)
    {
        var configFile = new Option<string?>("--config-file")
        {
            Description = $"The HOCON file to run with (default: {PipelinesConfiguration.DefaultFile} when present).",
            HelpName = "path",
        };
        var messagesOption = new Option<long?>("--messages")
        {
            Description = "Stop generating orders after this many (pipelines.pipelines.order-generator.messages); the other pipelines keep running.",
            HelpName = "count",
        };
        messagesOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 0)
            {
                result.AddError("--messages must be 0 (no limit) or more.");
            }
        });
        root.Options.Add(configFile);
        root.Options.Add(messagesOption);
        var view = LiveViewOption.Create();
        root.Options.Add(view);
        root.SetAction(async (parse, cancellationToken) =>
        {
            // System.CommandLine waits for the action on SIGTERM only once the action has returned its task; until then a
            // signal ends the process at once (exit code 143). Returning it before anything slow or printed keeps that
            // window closed: a SIGTERM right after the bootstrap line still drains.
            await Task.Yield();
            var config = LiveViewOption.Apply(PipelinesConfiguration.Load(parse.GetValue(configFile)), parse.GetValue(view));
            if (parse.GetValue(messagesOption) is { } limit)
            {
                config = Override(config, string.Create(CultureInfo.InvariantCulture, $"pipelines.pipelines.{OrderGenerator.Name}.messages = {limit}"));
            }

            var servers = Environment.GetEnvironmentVariable(BootstrapServersVariable);
            if (!string.IsNullOrWhiteSpace(servers))
            {
                return await RunAsync(config, servers, null, cancellationToken).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"{BootstrapServersVariable} is not set: starting an embedded Kafka cluster.").ConfigureAwait(false);
            using var cluster = EmbeddedKafkaCluster.Start(BrokerCommand.DefaultBrokers);

            // Disposed before the cluster, so that `pipelines topics create` from another shell finds it while it runs.
            using (EmbeddedClusterControl.TryStart(cluster, Console.Error))
            {
                // stdout's first line is the bootstrap servers, for scripts and for clients in other shells.
                await Console.Out.WriteLineAsync(cluster.BootstrapServers).ConfigureAwait(false);
                await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Console.Error.WriteLineAsync(
                    $"Embedded Kafka cluster running with {cluster.BrokerCount} broker(s) (in memory): export {BootstrapServersVariable}={cluster.BootstrapServers} to use it from another shell.").ConfigureAwait(false);
                try
                {
                    return await RunAsync(config, cluster.BootstrapServers, cluster, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await Console.Error.WriteLineAsync("Embedded Kafka cluster stopped.").ConfigureAwait(false);
                }
            }
        });
    }

    /// <summary>
    /// Builds the host: the ActorSystem from <paramref name="config"/> (prepended to Akka.Hosting's defaults, so the
    /// file's <c>akka.*</c> keys win) with the clients pointed at <paramref name="bootstrapServers"/>, its log routed to
    /// the host's console logger on stderr, the topology's topics created before the pipelines start, the pipelines the
    /// configuration enables, and the main job.
    /// </summary>
    /// <param name="config">The resolved configuration, e.g. <see cref="PipelinesConfiguration.Load(string?)"/>.</param>
    /// <param name="bootstrapServers">The Kafka cluster to use.</param>
    /// <param name="output">Where data goes (stdout); the job writes nothing there itself.</param>
    /// <param name="messages">Where human-readable progress goes.</param>
    /// <param name="embedded">The embedded cluster serving <paramref name="bootstrapServers"/>, when the job started one (topics are created on it directly).</param>
    /// <param name="services">Adds services before the host is built (the host bench adds its telemetry exporters).</param>
    internal static IHost Build(
        Config config, string? bootstrapServers, TextWriter output, TextWriter messages, EmbeddedKafkaCluster? embedded = null, Action<IServiceCollection>? services = null)
    {
        _ = output;
        if (!string.IsNullOrWhiteSpace(bootstrapServers))
        {
            config = Override(config, $"""
                akka.kafka.consumer.kafka-clients.bootstrap.servers = "{bootstrapServers}"
                akka.kafka.producer.kafka-clients.bootstrap.servers = "{bootstrapServers}"
                """);
        }

        if (embedded is not null && !config.HasPath(FetchWaitKey))
        {
            // The embedded cluster answers a fetch that found nothing only after fetch.wait.max.ms (500 ms by default),
            // even when records arrive meanwhile; a real broker answers as soon as they do. Without this, every hop of
            // the topology would add about half that wait.
            config = Override(config, $"{FetchWaitKey} = 10");
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });

        // stdout carries only the bootstrap servers; every log line goes to stderr.
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

        // akka.loglevel decides what Akka logs; the host's logger lets all of it through.
        builder.Logging.AddFilter("Akka", LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);

        var counters = new TopologyCounters();
        builder.Services.AddSingleton(counters);

        // Hosted services start in order: the topics exist before the actor system starts the pipelines.
        builder.Services.AddHostedService(_ => new MainJobTopics(config, bootstrapServers, embedded, messages));
        builder.Services.AddAkka(ActorSystemName, (akka, _) =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            akka.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLoggerFactory());
            akka.AddStartup((system, _) => messages.WriteLine($"Actor system '{system.Name}' is running (akka.loglevel = {system.Settings.LogLevel})."));
            ExampleTopology.Add(akka, config, counters);
        });

        // The pipelines' registry, health checks and start check.
        builder.Services.AddPipelines();
        // Exports the Pipelines meter and activity source as pipelines.telemetry says (nothing by default).
        builder.Services.AddPipelinesTelemetry(config);
        // The live view (pipelines.view), on stderr: stdout carries only the embedded cluster's bootstrap servers.
        builder.Services.AddLiveView(config, messages);
        builder.Services.AddSingleton(new MainJobService.Options(bootstrapServers, embedded is not null, config.GetTimeSpan("pipelines.main-job.status-interval", TimeSpan.FromSeconds(5)), messages));
        builder.Services.AddSingleton<MainJobService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MainJobService>());
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    private static async Task<int> RunAsync(Config config, string servers, EmbeddedKafkaCluster? embedded, CancellationToken cancellationToken)
    {
        using var host = Build(config, servers, Console.Out, Console.Error, embedded);
        var job = host.Services.GetRequiredService<MainJobService>();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        // A stop asked while the host starts (topics, actor system, pipelines) takes effect once it has started, so the
        // pipelines drain as usual instead of the start being abandoned half-way.
        await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (system.WhenTerminated.IsCompleted)
        {
            var reason = CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "none";
            await Console.Error.WriteLineAsync($"Actor system '{system.Name}' terminated (CoordinatedShutdown reason: {reason}).").ConfigureAwait(false);
        }

        var exitCode = job.Result();
        if (registry.Drained.IsCompletedSuccessfully)
        {
            var drained = await registry.Drained.ConfigureAwait(false);
            await MainJobDrainSummary.WriteAsync(drained, Console.Error).ConfigureAwait(false);
            if (exitCode == 0 && !MainJobDrainSummary.AllClean(drained))
            {
                exitCode = 1;
            }
        }

        return exitCode;
    }

    private static Config Override(Config config, string hocon) =>
        PipelinesConfiguration.ParseString(hocon, "command line").WithFallback(config);
}
