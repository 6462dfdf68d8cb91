using Akka;
using Akka.Streams;
using Pipelines.Kafka;

namespace Pipelines.Hosting.Tests.Support;

/// <summary>
/// An <see cref="IControl"/> over a kill switch, for pipelines without a Kafka source: stopping shuts the switch (the
/// stream completes), draining waits for the stream afterwards.
/// </summary>
public sealed class KillSwitchControl(UniqueKillSwitch killSwitch, Task<Done> completion) : IControl
{
    public Task IsShutdown => completion.ContinueWith(static _ => { }, TaskScheduler.Default);

    public ConsumerMetrics Metrics => ConsumerMetrics.Empty;

    public Task Stop()
    {
        killSwitch.Shutdown();
        return Task.CompletedTask;
    }

    public Task Shutdown() => Stop();

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        killSwitch.Shutdown();
        await streamCompletion.ConfigureAwait(false);
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        killSwitch.Shutdown();
        return await streamCompletion.ConfigureAwait(false);
    }
}
