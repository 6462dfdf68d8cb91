using Akka.Hosting;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Configuration;
using Pipelines.Hosting.Tests.Support;
using Pipelines.TestKit;

namespace Pipelines.Hosting.Tests;

/// <summary>The pipeline's HOCON section reaches its factory; bad values fail the host's start naming pipeline, key and file:line:column.</summary>
public sealed class PipelineSettingsTests
{
    [Fact]
    public async Task WithPipeline_SectionValues_ReachTheFactory()
    {
        var (config, _) = TestHosts.LoadConfig("""
            pipelines.pipelines.orders {
              parallelism = 8
              topics = [orders, refunds]
              batch { size = 500, interval = 250ms }
              compress = on
              ratio = 0.75
              group = billing
            }
            """);
        var seen = new Dictionary<string, object>();
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (_, settings) =>
        {
            seen["name"] = settings.Name;
            seen["path"] = settings.Path;
            seen["parallelism"] = settings.GetInt("parallelism");
            seen["topics"] = settings.GetStringList("topics");
            seen["batch.size"] = settings.GetLong("batch.size");
            seen["batch.interval"] = settings.GetDuration("batch.interval");
            seen["compress"] = settings.GetBoolean("compress");
            seen["ratio"] = settings.GetDouble("ratio");
            seen["group"] = settings.GetString("group");
            seen["missing"] = settings.GetInt("retries", 3);
            seen["has-missing"] = settings.HasKey("retries");
            seen["config"] = settings.Config.GetInt("parallelism");
            return TestGraphs.Idle();
        }));

        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        await Eventually.TrueAsync(() => registry.GetStatus("orders").State == PipelineState.Running, what: "the pipeline to run");
        await host.StopAsync();

        seen["name"].Should().Be("orders");
        seen["path"].Should().Be("pipelines.pipelines.orders");
        seen["parallelism"].Should().Be(8);
        seen["topics"].Should().BeEquivalentTo(new[] { "orders", "refunds" }, o => o.WithStrictOrdering());
        seen["batch.size"].Should().Be(500L);
        seen["batch.interval"].Should().Be(TimeSpan.FromMilliseconds(250));
        seen["compress"].Should().Be(true);
        seen["ratio"].Should().Be(0.75);
        seen["group"].Should().Be("billing");
        seen["missing"].Should().Be(3);
        seen["has-missing"].Should().Be(false);
        seen["config"].Should().Be(8);
        var drained = await registry.Drained;
        drained.Should().ContainSingle().Which.Should().Match<PipelineDrainResult>(r =>
            r.Name == "orders" && r.Outcome == PipelineDrainOutcome.Drained && r.State == PipelineState.Stopped && r.Restarts == 0);
    }

    [Fact]
    public async Task WithPipeline_BadValue_HostStartFailsNamingPipelineKeyAndPosition()
    {
        var (config, path) = TestHosts.LoadConfig("""
            pipelines.pipelines.orders {
              parallelism = lots
            }
            """);
        var factoryCalls = 0;
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (_, settings) =>
        {
            factoryCalls++;

            // The bad value reads as 0, which Akka refuses: the value's problem is what is reported.
            return Akka.Streams.Dsl.Source.Never<int>()
                .SelectAsync(settings.GetInt("parallelism"), Task.FromResult)
                .ViaMaterialized(Akka.Streams.KillSwitches.Single<int>(), Akka.Streams.Dsl.Keep.Right)
                .ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<int>(), (ks, done) => Kafka.DrainingControl<Akka.Done>.Create(new KillSwitchControl(ks, done), done));
        }));

        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<PipelineException>()).Which;

        factoryCalls.Should().Be(1);
        error.Pipeline.Should().Be("orders");
        error.Message.Should().Contain("Pipeline 'orders'")
            .And.Contain("pipelines.pipelines.orders.parallelism")
            .And.Contain($"{path}:2:17");
        error.InnerException.Should().BeOfType<SettingsException>();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        registry.Names.Should().BeEmpty();
        await host.StopAsync();
    }

    [Fact]
    public async Task WithPipeline_BadRestartOverride_HostStartFailsNamingTheOverride()
    {
        var (config, path) = TestHosts.LoadConfig("""
            pipelines.hosting.restart.min-backoff = 2s
            pipelines.pipelines.orders {
              restart { min-backoff = soon }
              health.max-lag = -5
            }
            """);
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (_, _) => TestGraphs.Idle()));

        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<PipelineException>()).Which;

        error.Message.Should().Contain("Pipeline 'orders'")
            .And.Contain("pipelines.pipelines.orders.restart.min-backoff")
            .And.Contain($"{path}:3:27")
            .And.Contain("pipelines.pipelines.orders.health.max-lag: must be -1 (no limit) or more, but is -5");
        await host.StopAsync();
    }

    [Fact]
    public async Task WithPipeline_FactoryCheckFails_EveryProblemReportedAtOnce()
    {
        var (config, path) = TestHosts.LoadConfig("""
            pipelines.pipelines.orders {
              parallelism = 0
              interval = often
            }
            """);
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (_, settings) =>
        {
            var parallelism = settings.GetInt("parallelism");
            settings.Check(parallelism >= 1, "parallelism", $"must be at least 1, but is {parallelism}");
            settings.GetDuration("interval");
            settings.GetString("topic");
            return TestGraphs.Idle();
        }));

        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<PipelineException>()).Which;

        var problems = error.InnerException.Should().BeOfType<SettingsException>().Which.Problems;
        problems.Should().HaveCount(3);
        problems.Should().Contain("pipelines.pipelines.orders.parallelism: must be at least 1, but is 0");
        problems.Should().Contain(p => p.StartsWith("pipelines.pipelines.orders.interval:", StringComparison.Ordinal) && p.Contains($"{path}:3:14", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.pipelines.orders.topic:", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task WithPipeline_SameNameTwice_HostStartFails()
    {
        var (config, _) = TestHosts.LoadConfig("");
        using var host = TestHosts.Build(config, akka => akka
            .WithPipeline("orders", (_, _) => TestGraphs.Idle())
            .WithPipeline("orders", (_, _) => TestGraphs.Idle()));

        var start = () => host.StartAsync();
        (await start.Should().ThrowAsync<PipelineException>()).Which.Message.Should().Contain("Pipeline 'orders' is registered twice");
        await host.StopAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders.eu")]
    [InlineData("orders eu")]
    public void WithPipeline_InvalidName_Throws(string name)
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "test");

        var act = () => builder.WithPipeline(name, (_, _) => TestGraphs.Idle());

        act.Should().Throw<ArgumentException>().WithMessage("*letters, digits*");
    }
}
