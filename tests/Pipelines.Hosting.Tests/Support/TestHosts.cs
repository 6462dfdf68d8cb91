using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Configuration;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.Hosting.Tests.Support;

/// <summary>Builds generic hosts running an actor system with pipelines, configured from HOCON written to a file.</summary>
public static class TestHosts
{
    /// <summary>Akka.TestKit's virtual clock drives the actor system's scheduler (restart backoffs, drain timeouts).</summary>
    public const string VirtualTime = """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"

        """;

    /// <summary>Writes <paramref name="hocon"/> to a file of its own and loads it over the reference configuration, so errors name the file.</summary>
    public static (AkkaConfig Config, string Path) LoadConfig(string hocon)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pipelines-hosting-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return (PipelinesConfiguration.Load(path), path);
    }

    /// <summary>A host with the actor system <c>test</c>, configured from <paramref name="config"/>, <c>AddPipelines</c> and <paramref name="pipelines"/>.</summary>
    public static IHost Build(AkkaConfig config, Action<AkkaConfigurationBuilder> pipelines, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddPipelines("test", config, pipelines);
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}
