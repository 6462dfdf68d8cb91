using System.CommandLine;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Pipelines.Configuration;
using Pipelines.Hosting;
using Pipelines.Hosting.Telemetry;
using Pipelines.Host.View;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Commands;

/// <summary>
/// What <c>pipelines</c> does with no command: a generic host running the ActorSystem (configured from
/// <c>config/akka.hocon</c> over the reference, through Akka.Hosting) and the configured pipelines against
/// <c>KAFKA_BOOTSTRAP_SERVERS</c>, or an embedded cluster when that is unset. Ctrl+C and SIGTERM stop the host,
/// which runs Akka's CoordinatedShutdown.
/// </summary>
internal static class MainJob
{
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>The name of the host's ActorSystem.</summary>
    public const string ActorSystemName = "pipelines";

    public static void Configure(RootCommand root)
    {
        var view = LiveViewOption.Create();
        root.Options.Add(view);
        root.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = LiveViewOption.Apply(PipelinesConfiguration.Load(), parseResult.GetValue(view));
            var servers = Environment.GetEnvironmentVariable(BootstrapServersVariable);
            using var host = Build(config, servers, Console.Out, Console.Error);
            var job = host.Services.GetRequiredService<MainJobService>();
            var system = host.Services.GetRequiredService<ActorSystem>();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            if (system.WhenTerminated.IsCompleted)
            {
                var reason = CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "none";
                await Console.Error.WriteLineAsync($"Actor system '{system.Name}' terminated (CoordinatedShutdown reason: {reason}).").ConfigureAwait(false);
            }

            return job.Result();
        });
    }

    /// <summary>
    /// Builds the host: the ActorSystem from <paramref name="config"/> (prepended to Akka.Hosting's defaults, so the
    /// file's <c>akka.*</c> keys win), its log routed to the host's console logger on stderr, and the main job.
    /// </summary>
    /// <param name="config">The resolved configuration, e.g. <see cref="PipelinesConfiguration.Load(string?)"/>.</param>
    /// <param name="bootstrapServers">The Kafka cluster to use; null or blank starts an embedded one.</param>
    /// <param name="output">Where the embedded cluster's bootstrap servers are written (the first line, for scripts).</param>
    /// <param name="messages">Where human-readable progress goes.</param>
    internal static IHost Build(Config config, string? bootstrapServers, TextWriter output, TextWriter messages)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });

        // stdout carries only the bootstrap servers; every log line goes to stderr.
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

        // akka.loglevel decides what Akka logs; the host's logger lets all of it through.
        builder.Logging.AddFilter("Akka", LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);

        builder.Services.AddAkka(ActorSystemName, (akka, _) =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            akka.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLoggerFactory());
        });

        // The pipelines' registry, health checks and start check (pipelines register with WithPipeline above).
        builder.Services.AddPipelines();
        // Exports the Pipelines meter and activity source as pipelines.telemetry says (nothing by default).
        builder.Services.AddPipelinesTelemetry(config);
        // The live view (pipelines.view), on stderr: stdout carries only the embedded cluster's bootstrap servers.
        builder.Services.AddLiveView(config, messages);
        builder.Services.AddSingleton(new MainJobService.Options(bootstrapServers, output, messages));
        builder.Services.AddSingleton<MainJobService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MainJobService>());
        return builder.Build();
    }
}
