using Akka.Actor;
using Microsoft.Extensions.Hosting;

namespace Pipelines.Hosting;

/// <summary>
/// Makes the host's start fail with the error of a pipeline that could not start: Akka.Hosting only logs an error
/// thrown while it runs startup tasks, and stops the application.
/// </summary>
internal sealed class PipelineStartupCheck(ActorSystem system) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service started, Akka.Hosting's (and with it the pipelines) included.</summary>
    public Task StartedAsync(CancellationToken cancellationToken) =>
        PipelineRegistry.For(system).StartFailure is { } failure ? Task.FromException(failure) : Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
