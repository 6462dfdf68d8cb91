using Akka;
using Pipelines.Delay;
using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>
/// A running <see cref="DelayRouter"/> seen as a hosted pipeline's source control: draining it is
/// <see cref="DelayRouterControl.DrainAndShutdown"/> (which also cuts the stream behind the reorder buffers, so a
/// partition whose buffer is full does not hold the drain), its metrics are the router consumer's.
/// </summary>
internal sealed class DelayRouterHostedControl : IControl
{
    private readonly DelayRouterControl _router;

    private DelayRouterHostedControl(DelayRouterControl router) => _router = router;

    /// <summary>The router's control for the runner: its stream completes when the router has stopped and closed its clients.</summary>
    public static DrainingControl<Done> Start(DelayRouterControl router) =>
        DrainingControl<Done>.Create(new DelayRouterHostedControl(router), Completed(router.Completion));

    public Task IsShutdown => _router.Completion;

    public ConsumerMetrics Metrics => _router.Consumer.Metrics;

    public Task Stop() => _router.Consumer.Stop();

    public Task Shutdown() => _router.Shutdown();

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        await _router.DrainAndShutdown().ConfigureAwait(false);
        await streamCompletion.ConfigureAwait(false);
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        await _router.DrainAndShutdown().ConfigureAwait(false);
        return await streamCompletion.ConfigureAwait(false);
    }

    private static async Task<Done> Completed(Task completion)
    {
        await completion.ConfigureAwait(false);
        return Done.Instance;
    }
}
