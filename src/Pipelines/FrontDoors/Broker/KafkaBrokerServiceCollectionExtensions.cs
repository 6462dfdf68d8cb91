using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// Registers Kafka brokers in the services, on the ActorSystem of Akka.Hosting (<c>AddAkka</c> or <c>AddPipelines</c>).
/// </summary>
/// <remarks>
/// Each broker is a singleton keyed by its name (<c>[FromKeyedServices("events")] IKafkaBroker</c>); the first one
/// registered is also the unkeyed <see cref="IKafkaBroker"/>. It is created when the host starts, so a wrong option fails
/// the start. When the host stops, each broker stops before the ActorSystem does: its subscriptions drain (messages in
/// flight finish and are committed) and its publishes in flight are awaited.
/// </remarks>
public static class KafkaBrokerServiceCollectionExtensions
{
    /// <summary>Adds the broker named <paramref name="name"/>, read from <c>pipelines.brokers.&lt;name&gt;</c> in the ActorSystem's configuration.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static IServiceCollection AddKafkaBroker(this IServiceCollection services, string name) =>
        AddKafkaBroker(services, name, system => KafkaBrokerOptions.FromConfig(system.Settings.Config, name));

    /// <summary>Adds the broker named <paramref name="name"/> with options bound from <paramref name="section"/> (<see cref="KafkaBrokerOptions.FromConfiguration"/>).</summary>
    public static IServiceCollection AddKafkaBroker(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return AddKafkaBroker(services, name, _ => KafkaBrokerOptions.FromConfiguration(section));
    }

    /// <summary>Adds the broker named <paramref name="name"/> with the options <paramref name="options"/> makes from the ActorSystem.</summary>
    public static IServiceCollection AddKafkaBroker(this IServiceCollection services, string name, Func<ActorSystem, KafkaBrokerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        services.AddKeyedSingleton<IKafkaBroker>(name, (provider, _) =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            var logger = provider.GetService<ILoggerFactory>()?.CreateLogger($"Pipelines.FrontDoors.Broker.{name}");
            var broker = new KafkaBroker(system, options(system), logger, name);

            // Also drained when the ActorSystem shuts down by itself (CoordinatedShutdown), not only with the host.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"kafka-broker-{name}", async () =>
            {
                await broker.StopAsync().ConfigureAwait(false);
                return Akka.Done.Instance;
            });
            return broker;
        });
        services.TryAddSingleton<IKafkaBroker>(provider => provider.GetRequiredKeyedService<IKafkaBroker>(name));
        services.AddSingleton<IHostedService>(provider => new KafkaBrokerLifetime(() => provider.GetRequiredKeyedService<IKafkaBroker>(name)));
        return services;
    }
}
