using Akka.Streams;
using Pipelines.Kafka;

namespace Pipelines.Host.Topology;

/// <summary>
/// The control of a pipeline that only produces: stopping it cuts the source (a kill switch) so the producer sink
/// completes once its outstanding deliveries are acknowledged. It has no consumer, so its metrics are empty.
/// </summary>
internal sealed class GeneratorControl(UniqueKillSwitch cut, Task sinkCompletion) : IControl
{
    public Task IsShutdown => sinkCompletion;

    public ConsumerMetrics Metrics => ConsumerMetrics.Empty;

    public Task Stop()
    {
        cut.Shutdown();
        return Task.CompletedTask;
    }

    public Task Shutdown()
    {
        cut.Shutdown();
        return sinkCompletion;
    }

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        cut.Shutdown();
        await streamCompletion.ConfigureAwait(false);
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        cut.Shutdown();
        return await streamCompletion.ConfigureAwait(false);
    }
}
