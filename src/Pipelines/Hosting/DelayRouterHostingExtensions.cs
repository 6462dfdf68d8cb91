using Akka;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Pipelines.Delay;
using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>
/// Runs the delay queue's <see cref="DelayRouter"/> as a hosted pipeline: <c>akka.WithDelayRouter()</c>.
/// </summary>
public static class DelayRouterHostingExtensions
{
    /// <summary>The pipeline name <see cref="WithDelayRouter"/> uses unless told otherwise.</summary>
    public const string DefaultName = "delay-router";

    /// <summary>
    /// Adds the delay router as the hosted pipeline <paramref name="name"/>: it is listed in the <see cref="IPipelineRegistry"/>
    /// (state, restarts, the router consumer's metrics and lag, a health check), restarted with backoff when it fails
    /// (<c>pipelines.hosting.restart</c>, or the pipeline's own <c>restart</c> section), and drained with
    /// <see cref="DelayRouterControl.DrainAndShutdown"/> in CoordinatedShutdown with the other pipelines. The router is
    /// configured as <see cref="DelayRouter.Run(ActorSystem, ILogger?)"/> configures it (<c>pipelines.delay</c>,
    /// <c>pipelines.delay.router</c>, <c>akka.kafka.consumer</c> and <c>akka.kafka.producer</c>); its Kafka clients log to
    /// the services' <see cref="ILoggerFactory"/> when there is one. The tier and cancellation topics must exist
    /// (<see cref="DelayQueue.EnsureTopicsAsync"/> creates them).
    /// </summary>
    /// <param name="builder">The actor system's builder.</param>
    /// <param name="name">The pipeline's name (its HOCON section is <c>pipelines.pipelines.&lt;name&gt;</c>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid pipeline name.</exception>
    public static AkkaConfigurationBuilder WithDelayRouter(this AkkaConfigurationBuilder builder, string name = DefaultName) =>
        builder.WithPipeline(name, static (system, settings) => Graph(system, settings.Name));

    /// <summary>
    /// A graph whose every materialization runs a new router. Its settings are read once, here, so that a bad key fails
    /// the host's start (with every problem listed) rather than each incarnation. The clients' <c>client.id</c> is the
    /// pipeline's name unless the configuration sets one, so meter readers (the host's live view) find its figures.
    /// </summary>
    internal static IRunnableGraph<DrainingControl<Done>> Graph(ActorSystem system, string name)
    {
        var delay = DelaySettings.Create(system);
        var router = DelayRouterSettings.Create(system);
        var consumer = ConsumerSettings<byte[], byte[]>.Create(system, keyDeserializer: null, valueDeserializer: null);
        var producer = ProducerSettings<byte[], byte[]>.Create(system, keySerializer: null, valueSerializer: null);
        consumer = consumer.ClientId is null ? consumer.WithClientId(name) : consumer;
        producer = producer.GetProperty("client.id") is null ? producer.WithProperty("client.id", name) : producer;
        var logger = DependencyResolver.For(system).Resolver?.GetService<ILoggerFactory>()?.CreateLogger("Pipelines.Delay.Router");

        // The router materializes its own stream; this graph is only the hook that starts it on every (re)start.
        return Source.Empty<NotUsed>()
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.None)
            .MapMaterializedValue(_ => DelayRouterHostedControl.Start(DelayRouter.Run(system, delay, router, consumer, producer, logger)));
    }
}
