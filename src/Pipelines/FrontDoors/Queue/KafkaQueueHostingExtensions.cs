using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Pipelines.Hosting;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// Runs a <see cref="KafkaQueue"/> as a hosted pipeline, as go-zero adds <c>kq.MustNewQueue(c, handler)</c> to a service
/// group: <c>akka.WithKafkaQueue&lt;LoginHandler&gt;("logins")</c> inside <c>AddPipelines</c>.
/// </summary>
public static class KafkaQueueHostingExtensions
{
    /// <summary>
    /// Adds the queue <paramref name="name"/> (options from <c>pipelines.queues.&lt;name&gt;</c>) as the hosted pipeline
    /// <paramref name="name"/>, with <typeparamref name="THandler"/> as its handler: the handler registered in the services,
    /// or else one created with its constructor's dependencies from them. The queue restarts with backoff after a failure
    /// (<c>pipelines.hosting.restart</c>, per queue in <c>pipelines.pipelines.&lt;name&gt;</c>), drains when the host stops,
    /// and has the health check <c>pipeline-&lt;name&gt;</c>; a bad setting fails the host's start naming the key.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <param name="builder">The actor system's builder.</param>
    /// <param name="name">The queue's name: letters, digits, <c>-</c> and <c>_</c>.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithKafkaQueue<THandler>(this AkkaConfigurationBuilder builder, string name)
        where THandler : class, IConsumeHandler =>
        WithKafkaQueue(builder, name, Resolve<THandler>);

    /// <summary>Adds the queue <paramref name="name"/> as a hosted pipeline with <paramref name="handler"/> as its handler (see <see cref="WithKafkaQueue{THandler}(AkkaConfigurationBuilder, string)"/>).</summary>
    public static AkkaConfigurationBuilder WithKafkaQueue(this AkkaConfigurationBuilder builder, string name, IConsumeHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return WithKafkaQueue(builder, name, _ => handler);
    }

    /// <summary>Adds the queue <paramref name="name"/> as a hosted pipeline whose handler <paramref name="handlerFactory"/> creates from the actor system.</summary>
    public static AkkaConfigurationBuilder WithKafkaQueue(this AkkaConfigurationBuilder builder, string name, Func<ActorSystem, IConsumeHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        return builder.WithPipeline(name, (system, _) =>
        {
            var queue = KafkaQueue.Create(system, name, handlerFactory(system));

            // The graph is built once and materialized again on every restart; the handlers' token and the retry route's
            // clients live as long as the actor system, which terminates after the drain.
            system.RegisterOnTermination(() => queue.ReleaseAsync().GetAwaiter().GetResult());
            return queue.Graph();
        });
    }

    private static THandler Resolve<THandler>(ActorSystem system)
        where THandler : class, IConsumeHandler
    {
        var resolver = DependencyResolver.For(system).Resolver;
        if (resolver is ServiceProviderDependencyResolver { ServiceProvider: { } services })
        {
            return ActivatorUtilities.GetServiceOrCreateInstance<THandler>(services);
        }

        return resolver.GetService<THandler>()
            ?? throw new InvalidOperationException($"The handler {typeof(THandler).Name} could not be created: the actor system has no service provider (run it with Akka.Hosting's AddAkka).");
    }
}
