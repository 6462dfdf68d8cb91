using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting.Tests.Support;
using Pipelines.Telemetry;
using Pipelines.TestKit;

namespace Pipelines.Hosting.Tests;

/// <summary>Each restart of a hosted pipeline is counted on the Pipelines meter (<c>pipelines.pipeline.restarts</c>), tagged with its name.</summary>
public sealed class PipelineRestartMetricsTests
{
    [Fact]
    public async Task FailingPipeline_Restarts_CountsEachRestartOnceWithThePipelineName()
    {
        var name = "flaky-" + Guid.NewGuid().ToString("N")[..8];
        var steady = "steady-" + Guid.NewGuid().ToString("N")[..8];
        using var restarts = new RestartCapture(name, steady);
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            pipelines.hosting.restart { min-backoff = 10s, max-backoff = 10s, random-factor = 0 }
            """);
        using var host = TestHosts.Build(config, akka => akka
            .WithPipeline(name, (_, _) => TestGraphs.Failing("boom"))
            .WithPipeline(steady, (_, _) => TestGraphs.Idle()));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var scheduler = (TestScheduler)host.Services.GetRequiredService<ActorSystem>().Scheduler;

        await Eventually.TrueAsync(() => registry.GetStatus(name).State == PipelineState.Restarting, what: "the first failure");
        restarts.Values.Should().BeEmpty("the first incarnation is no restart");
        await Eventually.TrueAsync(
            () =>
            {
                scheduler.Advance(TimeSpan.FromSeconds(10));
                return registry.GetStatus(name).Restarts >= 2;
            },
            what: "two restarts");
        await host.StopAsync();
        var drained = (await registry.Drained).Single(r => r.Name == name);

        restarts.Values.Should().HaveCount(drained.Restarts).And.OnlyContain(v => v == 1);
        drained.Restarts.Should().BeGreaterThanOrEqualTo(2);
        restarts.Others.Should().BeEmpty("only the pipeline that restarted is counted");
    }

    /// <summary>The <c>pipelines.pipeline.restarts</c> measurements of one pipeline, and those of another one.</summary>
    private sealed class RestartCapture : IDisposable
    {
        private readonly MeterListener _listener = new();

        public RestartCapture(string pipeline, string other)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelinesTelemetry.MeterName && instrument.Name == "pipelines.pipeline.restarts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == TagNames.Pipeline)
                    {
                        (Equals(tag.Value, pipeline) ? Values : Equals(tag.Value, other) ? Others : null)?.Enqueue(value);
                    }
                }
            });
            _listener.Start();
        }

        public ConcurrentQueue<long> Values { get; } = new();

        public ConcurrentQueue<long> Others { get; } = new();

        public void Dispose() => _listener.Dispose();
    }
}
