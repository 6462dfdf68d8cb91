using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pipelines.Configuration.Tests.Microsoft;

public sealed class HoconConfigurationProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-provider-").FullName;

    [Fact]
    public void AddHoconString_PathsAndArrays_MapToColonKeys()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("""
            a.b.c = 1
            list = [x, y, { z = 3 }]
            "dotted.key" { inner = v }
            flag = true
            nothing = null
            empty {}
            """).Build();

        configuration["a:b:c"].Should().Be("1");
        configuration["list:0"].Should().Be("x");
        configuration["list:1"].Should().Be("y");
        configuration["list:2:z"].Should().Be("3");
        configuration["dotted.key:inner"].Should().Be("v");
        configuration["flag"].Should().Be("true");
        configuration["nothing"].Should().BeNull();
        configuration.GetSection("empty").Exists().Should().BeFalse();
        configuration.AsEnumerable().Select(p => p.Key).Should().Contain(["a:b:c", "list:2:z", "dotted.key:inner", "empty"]);
    }

    [Fact]
    public void GetRedactedDebugView_SecretKeys_ShowRedactedWhileTheConfigurationKeepsTheValues()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("""
            akka.kafka.consumer.kafka-clients {
              sasl.mechanism = PLAIN
              sasl.password = hunter2
              "ssl.key.password" = hunter3
              sasl.oauthbearer.client.secret = [hunter4, hunter5]
            }
            """).Build();

        var view = configuration.GetRedactedDebugView();

        view.Should().NotContain("hunter");
        view.Should().Contain("password=<redacted> (HoconConfigurationProvider (string))");
        view.Should().Contain("ssl.key.password=<redacted>");
        view.Should().Contain("mechanism=PLAIN");
        view.Should().Contain("0=<redacted>").And.Contain("1=<redacted>");
        configuration.GetDebugView().Should().Contain("hunter2", "only the view is redacted");
        configuration["akka:kafka:consumer:kafka-clients:sasl:password"].Should().Be("hunter2");
    }

    [Fact]
    public void AddHocon_File_BindsOptionsThroughDependencyInjection()
    {
        var path = Path.Combine(_directory, "app.conf");
        File.WriteAllText(path, """
            service {
              name = orders
              port = 8080
              enabled = true
              hosts = ["a", "b"]
              limits { max = 10 }
            }
            """);
        var configuration = new ConfigurationBuilder().AddHocon(path).Build();
        var services = new ServiceCollection().Configure<ServiceOptions>(configuration.GetSection("service")).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<ServiceOptions>>().Value;

        options.Name.Should().Be("orders");
        options.Port.Should().Be(8080);
        options.Enabled.Should().BeTrue();
        options.Hosts.Should().Equal("a", "b");
        options.Limits.Max.Should().Be(10);
        configuration.GetSection("service").Get<ServiceOptions>()!.Port.Should().Be(8080);
    }

    [Fact]
    public void AddHocon_LaterSourcesOverrideEarlierOnes()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("a = 1\nb = 2")
            .AddHoconString("b = 3")
            .Build();

        configuration["a"].Should().Be("1");
        configuration["b"].Should().Be("3");
    }

    [Fact]
    public void AddHocon_LoadedConfig_ExposesReferenceDefaults()
    {
        var configuration = new ConfigurationBuilder().AddHocon(PipelinesConfiguration.Load(null, _ => null)).Build();

        configuration["akka:kafka:committer:max-batch"].Should().Be("1000");
        configuration["akka:kafka:producer:kafka-clients:enable:idempotence"].Should().Be("true");
    }

    [Fact]
    public void AddHocon_MissingOptionalFile_AddsNothing()
    {
        var configuration = new ConfigurationBuilder().AddHocon(Path.Combine(_directory, "missing.conf"), optional: true).Build();

        configuration.AsEnumerable().Should().BeEmpty();
    }

    [Fact]
    public void AddHocon_MissingRequiredFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "missing.conf");

        var act = () => new ConfigurationBuilder().AddHocon(path).Build();

        act.Should().Throw<HoconException>().Which.Origin.Should().Be(path);
    }

    [Fact]
    public void AddHocon_RelativePath_UsesTheBuilderBasePath()
    {
        File.WriteAllText(Path.Combine(_directory, "relative.conf"), "x = 1");
        var configuration = new ConfigurationBuilder().SetBasePath(_directory).AddHocon("relative.conf").Build();

        configuration["x"].Should().Be("1");
    }

    [Fact]
    public void AddHocon_RelativePathWithoutBasePath_IsRelativeToTheApplication()
    {
        var configuration = new ConfigurationBuilder().AddHocon(PipelinesConfiguration.DefaultFile).Build();

        configuration.GetSection("akka:kafka:consumer:kafka-clients").Exists().Should().BeTrue(
            "config/akka.hocon is copied next to the test assembly");
    }

    [Fact]
    public void AddHoconString_InvalidText_ThrowsWithPosition()
    {
        var act = () => new ConfigurationBuilder().AddHoconString("a {\n  b = 1\n", "inline").Build();

        var error = act.Should().Throw<HoconException>().Which;
        error.Message.Should().Be("inline:3:1: expected '}' to close the object opened at 1:3, found end of input");
    }

    [Fact]
    public void AddHoconString_HoconDurationsAndBooleans_BindToTimeSpanAndBool()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("""
                timing {
                  poll-interval = 50ms
                  stop-timeout = 30 seconds
                  close-timeout = infinite
                  dotnet-format = "00:00:05"
                  enabled = yes
                  verbose = off
                  optional-timeout = 2m
                }
                """)
            .Build();

        var timing = configuration.GetSection("timing").Get<TimingOptions>()!;

        timing.PollInterval.Should().Be(TimeSpan.FromMilliseconds(50));
        timing.StopTimeout.Should().Be(TimeSpan.FromSeconds(30));
        timing.CloseTimeout.Should().Be(Timeout.InfiniteTimeSpan);
        timing.DotnetFormat.Should().Be(TimeSpan.FromSeconds(5), ".NET's own format keeps its meaning");
        timing.Enabled.Should().BeTrue();
        timing.Verbose.Should().BeFalse();
        timing.OptionalTimeout.Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void AddHoconString_ValueThatIsNoDuration_FailsBindingNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("timing { poll-interval = soon }").Build();

        var act = () => configuration.GetSection("timing").Get<TimingOptions>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*timing:poll-interval*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public sealed class ServiceOptions
    {
        public string Name { get; set; } = string.Empty;

        public int Port { get; set; }

        public bool Enabled { get; set; }

        public List<string> Hosts { get; set; } = [];

        public LimitOptions Limits { get; set; } = new();
    }

    public sealed class LimitOptions
    {
        public int Max { get; set; }
    }

    public sealed class TimingOptions
    {
        [ConfigurationKeyName("poll-interval")]
        public TimeSpan PollInterval { get; set; }

        [ConfigurationKeyName("stop-timeout")]
        public TimeSpan StopTimeout { get; set; }

        [ConfigurationKeyName("close-timeout")]
        public TimeSpan CloseTimeout { get; set; }

        [ConfigurationKeyName("dotnet-format")]
        public TimeSpan DotnetFormat { get; set; }

        public bool Enabled { get; set; }

        public bool Verbose { get; set; }

        [ConfigurationKeyName("optional-timeout")]
        public TimeSpan? OptionalTimeout { get; set; }
    }
}
