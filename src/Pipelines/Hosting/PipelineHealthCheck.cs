using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipelines.Hosting;

/// <summary>
/// The health check of one hosted pipeline: Healthy when running, Degraded while starting, restarting or draining,
/// Unhealthy when stalled, over its lag limit, stopped or failed; the data carry state, restarts, lag and last progress.
/// </summary>
internal sealed class PipelineHealthCheck(string pipeline) : IAkkaHealthCheck
{
    /// <summary>The tag every pipeline health check carries (for <c>MapHealthChecks</c> predicates).</summary>
    public const string Tag = "pipelines";

    /// <summary>The name a pipeline's health check is registered under.</summary>
    public static string NameOf(string pipeline) => "pipeline-" + pipeline;

    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var runner = PipelineRegistry.For(context.ActorSystem).Find(pipeline);
        return Task.FromResult(runner?.CheckHealth() ?? HealthCheckResult.Unhealthy($"Pipeline '{pipeline}' has not been started."));
    }
}
