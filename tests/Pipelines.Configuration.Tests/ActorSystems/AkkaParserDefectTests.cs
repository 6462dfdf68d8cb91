using Akka.Actor;
using Akka.Streams;

namespace Pipelines.Configuration.Tests.ActorSystems;

/// <summary>
/// Files that Akka 1.5.75's own HOCON parser mis-reads (wrong values, a stack overflow, a hang) configure a real
/// ActorSystem correctly when they go through <see cref="PipelinesConfiguration"/>.
/// </summary>
public sealed class AkkaParserDefectTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-akka-defects-").FullName;
    private readonly string _variable = "PIPELINES_TEST_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task OptionalSubstitutionOfUnsetVariable_DoesNotSwallowTheNextKey()
    {
        // Akka's parser read the key after `${?UNSET}` as 0.
        var file = Write($$"""
            akka.stream.materializer {
              initial-input-buffer-size = ${?{{_variable}}}
              max-input-buffer-size = 32
            }
            a = ${?{{_variable}}}
            b = 2
            """);

        await WithSystemAsync(file, system =>
        {
            var materializer = ActorMaterializerSettings.Create(system);
            materializer.MaxInputBufferSize.Should().Be(32);
            materializer.InitialInputBufferSize.Should().Be(4, "the unset variable leaves Akka's default in place");
            system.Settings.Config.GetInt("b").Should().Be(2);
            system.Settings.Config.HasPath("a").Should().BeFalse("an undefined ${?VAR} removes the key");
        });
    }

    [Fact]
    public async Task OptionalSubstitutionOfSetVariable_ReadsTheVariable()
    {
        // Akka's parser read `${?VAR}` as an empty string even with the variable set.
        Environment.SetEnvironmentVariable(_variable, "DEBUG");
        try
        {
            var file = Write($$"""
                akka.loglevel = WARNING
                akka.loglevel = ${?{{_variable}}}
                """);

            await WithSystemAsync(file, system =>
            {
                system.Settings.LogLevel.Should().Be("DEBUG");
                system.Log.IsDebugEnabled.Should().BeTrue();
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable(_variable, null);
        }
    }

    [Fact]
    public async Task RequiredSubstitutionOfEnvironmentVariable_ReadsTheVariable()
    {
        // Akka's parser threw "Unresolved substitution" for `${VAR}` naming an environment variable.
        Environment.SetEnvironmentVariable(_variable, "64");
        try
        {
            var file = Write($$"""akka.stream.materializer.max-input-buffer-size = ${{{_variable}}}""");

            await WithSystemAsync(file, system => ActorMaterializerSettings.Create(system).MaxInputBufferSize.Should().Be(64));
        }
        finally
        {
            Environment.SetEnvironmentVariable(_variable, null);
        }
    }

    [Fact]
    public async Task SelfReferentialValue_AppendsToWhatItOverrides()
    {
        // Akka's parser overflowed the stack (killing the process) on `path = ${path}":/x"`.
        var file = Write("""
            search-path = "/usr/bin"
            search-path = ${search-path}":/opt/pipelines/bin"
            topics = [orders]
            topics = ${topics} [billing]
            topics += audit
            """);

        await WithSystemAsync(file, system =>
        {
            system.Settings.Config.GetString("search-path").Should().Be("/usr/bin:/opt/pipelines/bin");
            system.Settings.Config.GetStringList("topics").Should().Equal("orders", "billing", "audit");
        });
    }

    [Fact]
    public async Task UnclosedBracket_FailsAtOnceWithFileLineAndColumn()
    {
        // Akka's parser never returned on an unclosed `[`.
        var file = Write("""
            akka {
              loglevel = INFO
              loggers = ["Akka.Event.DefaultLogger, Akka"
            }
            """);

        var load = Task.Run(() => PipelinesConfiguration.Load(file));
        var act = async () => await load.WaitAsync(Patience);

        var error = (await act.Should().ThrowAsync<HoconException>()).Which;
        error.Origin.Should().Be(file);
        error.Message.Should().Be($"{file}:4:1: expected a value, or ']' to close the array opened at 3:13, found '}}'");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task WithSystemAsync(string file, Action<ActorSystem> assert)
    {
        var system = ActorSystem.Create("defects", PipelinesConfiguration.Load(file));
        try
        {
            assert(system);
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "app.conf");
        File.WriteAllText(path, text);
        return path;
    }
}
