using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pipelines.Kafka;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.Hosting;

/// <summary>
/// Registers hosted pipelines on Akka.Hosting: <c>WithPipeline</c> on the <see cref="AkkaConfigurationBuilder"/> and
/// <c>AddPipelines</c> on the service collection.
/// </summary>
public static partial class PipelineHostingExtensions
{
    /// <summary>
    /// Adds the pipeline <paramref name="name"/>: once the actor system has started, <paramref name="factory"/> builds its
    /// graph from the section <c>pipelines.pipelines.&lt;name&gt;</c>, and the graph runs under restart-with-backoff
    /// (<c>pipelines.hosting.restart</c>) until CoordinatedShutdown drains it (<c>pipelines.hosting.drain-timeout</c>).
    /// Also registers the pipeline's health check, <c>pipeline-&lt;name&gt;</c>, tagged <c>pipelines</c>.
    /// </summary>
    /// <typeparam name="T">The result of the graph's stream (typically the committer sink's <c>Done</c>).</typeparam>
    /// <param name="builder">The actor system's builder.</param>
    /// <param name="name">The pipeline's name: letters, digits, <c>-</c> and <c>_</c>.</param>
    /// <param name="factory">
    /// Builds the graph from the actor system and the pipeline's settings; the graph is materialized again on every
    /// restart, e.g. <c>KafkaConsumer.CommittableSource(…)…ToMaterialized(Committer.Sink(…), DrainingControl&lt;Done&gt;.Create)</c>.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid pipeline name.</exception>
    public static AkkaConfigurationBuilder WithPipeline<T>(
        this AkkaConfigurationBuilder builder,
        string name,
        Func<ActorSystem, PipelineSettings, IRunnableGraph<DrainingControl<T>>> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrEmpty(name) || !ValidName().IsMatch(name))
        {
            throw new ArgumentException($"A pipeline name must be letters, digits, '-' and '_' (it names the HOCON section pipelines.pipelines.<name>), but is \"{name}\".", nameof(name));
        }

        // Draining needs longer than Akka's default 5 s per phase; a value the application sets wins.
        builder.AddHocon(DrainPhaseFallback, HoconAddMode.Append);
        builder.WithHealthCheck(new AkkaHealthCheckRegistration(
            PipelineHealthCheck.NameOf(name),
            new PipelineHealthCheck(name),
            HealthStatus.Unhealthy,
            [PipelineHealthCheck.Tag, PipelineHealthCheck.NameOf(name)],
            null));
        builder.AddStartup((system, _) =>
        {
            // Added here, one startup task at a time: sources of several pipelines starting at once would each add it to
            // the configuration concurrently, and Akka's unlocked rebuild of the configuration could lose it ("Dispatcher
            // not configured", a needless restart).
            KafkaConsumerActor.EnsureDispatcher(system);
            var registry = PipelineRegistry.For(system);
            Adopt(registry, system);
            registry.Start(name, factory);
        });
        return builder;
    }

    /// <summary>
    /// Adds the services of hosted pipelines: <see cref="IPipelineRegistry"/>, the health check service (each pipeline's
    /// check comes with <c>WithPipeline</c>), and a check that makes the host's start fail with the error of a pipeline
    /// that could not start (bad settings name the pipeline, the key and its file:line:column).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddPipelines(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IPipelineRegistry>(sp => PipelineRegistry.For(sp.GetRequiredService<ActorSystem>()));
        services.AddHealthChecks();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PipelineStartupCheck>());
        return services;
    }

    /// <summary>
    /// Adds an actor system named <paramref name="actorSystemName"/> configured from <paramref name="config"/> (e.g.
    /// <c>PipelinesConfiguration.Load()</c>, over Akka.Hosting's defaults) and the services of hosted pipelines;
    /// <paramref name="configure"/> adds the pipelines with <c>WithPipeline</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="actorSystemName">The actor system's name.</param>
    /// <param name="config">The resolved configuration.</param>
    /// <param name="configure">Adds pipelines (and anything else) to the actor system.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddPipelines(this IServiceCollection services, string actorSystemName, AkkaConfig config, Action<AkkaConfigurationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddAkka(actorSystemName, akka =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            configure(akka);
        });
        return services.AddPipelines();
    }

    private static AkkaConfig DrainPhaseFallback { get; } = Configuration.PipelinesConfiguration.ParseString(
        $"akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseServiceRequestsDone}.timeout = 60s",
        "Pipelines.Hosting");

    /// <summary>Takes the clock and the observers from the service provider Akka.Hosting gave the actor system, once.</summary>
    private static void Adopt(PipelineRegistry registry, ActorSystem system)
    {
        if (!registry.TryAdopt())
        {
            return;
        }

        if (DependencyResolver.For(system).Resolver is not { } resolver)
        {
            return;
        }

        if (resolver.GetService<TimeProvider>() is TimeProvider time)
        {
            registry.Time = time;
        }

        if (resolver.GetService<IEnumerable<IPipelineObserver>>() is IEnumerable<IPipelineObserver> observers)
        {
            foreach (var observer in observers)
            {
                registry.Subscribe(observer);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ValidName();
}
