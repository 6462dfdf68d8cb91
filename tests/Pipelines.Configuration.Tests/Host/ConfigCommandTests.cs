using System.CommandLine;
using System.Text.Json;
using Pipelines.Host.Commands;

namespace Pipelines.Configuration.Tests.Host;

public sealed class ConfigCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-config-command-").FullName;

    [Fact]
    public async Task Config_WithFile_PrintsResolvedHoconOverTheReference()
    {
        var file = Write("app.conf", "akka.kafka.consumer.poll-interval = 75ms\napp.name = demo");

        var (code, output, error) = await InvokeAsync("config", "--file", file);

        code.Should().Be(0, error);
        var printed = HoconConfigFactory.ParseString(output);
        printed.GetTimeSpan("akka.kafka.consumer.poll-interval").Should().Be(TimeSpan.FromMilliseconds(75));
        printed.GetString("app.name").Should().Be("demo");
        printed.GetInt("akka.kafka.committer.max-batch").Should().Be(1000, "the reference is the fallback");
    }

    [Fact]
    public async Task Config_Json_PrintsValidJson()
    {
        var file = Write("app.conf", "x { list = [1, two] }");

        var (code, output, _) = await InvokeAsync("config", "--file", file, "--json");

        code.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        document.RootElement.GetProperty("x").GetProperty("list")[1].GetString().Should().Be("two");
        document.RootElement.GetProperty("akka").GetProperty("kafka").GetProperty("producer").GetProperty("parallelism").GetInt32().Should().Be(100);
    }

    [Fact]
    public async Task Config_Path_PrintsOnlyThatSubtree()
    {
        var file = Write("app.conf", "a = 1");

        var (code, output, _) = await InvokeAsync("config", "--file", file, "--json", "--path", "akka.kafka.committer");

        code.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["max-batch", "max-interval", "parallelism", "delivery", "when"]);
    }

    [Fact]
    public async Task Config_InvalidFile_PrintsPositionedErrorAndFails()
    {
        var file = Write("broken.conf", "a {\n  b = [1, 2\n}\n");

        var (code, output, error) = await InvokeAsync("config", "--file", file);

        code.Should().NotBe(0);
        output.Should().BeEmpty();
        error.Trim().Should().Be($"{file}:3:1: expected a value, or ']' to close the array opened at 2:7, found '}}'");
    }

    [Fact]
    public async Task Config_MissingPath_Fails()
    {
        var file = Write("app.conf", "a = 1");

        var (code, _, error) = await InvokeAsync("config", "--file", file, "--path", "no.such.path");

        code.Should().Be(1);
        error.Should().Contain("no configuration value at 'no.such.path'");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Code, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var root = new RootCommand { ConfigCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
