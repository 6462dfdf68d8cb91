using Microsoft.Extensions.Hosting;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// Creates a registered broker once the host has started (so that a wrong option fails the start, and after Akka.Hosting
/// started the ActorSystem) and stops it as the host begins to stop, before any hosted service (the ActorSystem's
/// included) is stopped.
/// </summary>
internal sealed class KafkaBrokerLifetime(Func<IKafkaBroker> broker) : IHostedLifecycleService
{
    private IKafkaBroker? _broker;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _broker = broker();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => _broker?.StopAsync() ?? Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
