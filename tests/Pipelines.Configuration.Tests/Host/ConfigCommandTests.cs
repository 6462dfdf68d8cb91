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

    private const string SecretsFile = """
        akka.kafka.consumer.kafka-clients {
          security.protocol = SASL_SSL
          sasl.mechanism = PLAIN
          sasl.username = orders
          sasl.password = hunter2
          ssl.key.password = "key-pass-1"
        }
        akka.kafka.producer.kafka-clients {
          sasl.oauthbearer.client.secret = oauth-secret-2
          sasl.oauthbearer.token.endpoint.url = "https://idp.example/token"
        }
        """;

    [Fact]
    public async Task Config_SecretKeys_AreRedactedInHocon()
    {
        var file = Write("app.conf", SecretsFile);

        var (code, output, error) = await InvokeAsync("config", "--file", file);

        code.Should().Be(0, error);
        output.Should().NotContain("hunter2").And.NotContain("key-pass-1").And.NotContain("oauth-secret-2");
        output.Should().Contain("--show-secrets", "the header says how to see the values");
        var printed = HoconConfigFactory.ParseString(output);
        printed.GetString("akka.kafka.consumer.kafka-clients.sasl.password").Should().Be("<redacted>", "the key stays visible, so users see it is set");
        printed.GetString("akka.kafka.consumer.kafka-clients.ssl.key.password").Should().Be("<redacted>");
        printed.GetString("akka.kafka.producer.kafka-clients.sasl.oauthbearer.client.secret").Should().Be("<redacted>");
        printed.GetString("akka.kafka.consumer.kafka-clients.sasl.mechanism").Should().Be("PLAIN");
        printed.GetString("akka.kafka.consumer.kafka-clients.sasl.username").Should().Be("orders");
        printed.GetString("akka.kafka.producer.kafka-clients.sasl.oauthbearer.token.endpoint.url").Should().Be("https://idp.example/token");
    }

    [Fact]
    public async Task Config_SecretKeys_AreRedactedInJson()
    {
        var file = Write("app.conf", SecretsFile);

        var (code, output, error) = await InvokeAsync("config", "--file", file, "--json");

        code.Should().Be(0, error);
        output.Should().NotContain("hunter2").And.NotContain("key-pass-1").And.NotContain("oauth-secret-2");
        using var document = JsonDocument.Parse(output);
        var clients = document.RootElement.GetProperty("akka").GetProperty("kafka").GetProperty("consumer").GetProperty("kafka-clients");
        clients.GetProperty("sasl").GetProperty("password").GetString().Should().Be("<redacted>");
        clients.GetProperty("sasl").GetProperty("mechanism").GetString().Should().Be("PLAIN");
        clients.GetProperty("ssl").GetProperty("key").GetProperty("password").GetString().Should().Be("<redacted>");
    }

    [Theory]
    [InlineData("akka.kafka.consumer")]
    [InlineData("akka.kafka.consumer.kafka-clients.sasl")]
    [InlineData("akka.kafka.consumer.kafka-clients.sasl.password")]
    [InlineData("akka.kafka.consumer.kafka-clients.\"ssl.key.password\"")]
    public async Task Config_PathAtOrAboveASecret_RedactsIt(string path)
    {
        var file = Write("app.conf", "akka.kafka.consumer.kafka-clients { sasl.password = hunter2, sasl.mechanism = PLAIN, \"ssl.key.password\" = hunter2 }");

        var hocon = await InvokeAsync("config", "--file", file, "--path", path);
        var json = await InvokeAsync("config", "--file", file, "--path", path, "--json");

        hocon.Code.Should().Be(0, hocon.Error);
        json.Code.Should().Be(0, json.Error);
        hocon.Output.Should().NotContain("hunter2").And.Contain("<redacted>");
        json.Output.Should().NotContain("hunter2").And.Contain("\"<redacted>\"");
    }

    [Fact]
    public async Task Config_ShowSecrets_PrintsTheValuesInHoconAndJson()
    {
        var file = Write("app.conf", SecretsFile);

        var hocon = await InvokeAsync("config", "--file", file, "--show-secrets");
        var json = await InvokeAsync("config", "--file", file, "--show-secrets", "--json");
        var leaf = await InvokeAsync("config", "--file", file, "--show-secrets", "--path", "akka.kafka.consumer.kafka-clients.sasl.password");

        hocon.Code.Should().Be(0, hocon.Error);
        hocon.Output.Should().NotContain("<redacted>");
        var printed = HoconConfigFactory.ParseString(hocon.Output);
        printed.GetString("akka.kafka.consumer.kafka-clients.sasl.password").Should().Be("hunter2");
        printed.GetString("akka.kafka.consumer.kafka-clients.ssl.key.password").Should().Be("key-pass-1");
        printed.GetString("akka.kafka.producer.kafka-clients.sasl.oauthbearer.client.secret").Should().Be("oauth-secret-2");
        json.Code.Should().Be(0, json.Error);
        using var document = JsonDocument.Parse(json.Output);
        document.RootElement.GetProperty("akka").GetProperty("kafka").GetProperty("consumer").GetProperty("kafka-clients")
            .GetProperty("sasl").GetProperty("password").GetString().Should().Be("hunter2");
        leaf.Code.Should().Be(0, leaf.Error);
        leaf.Output.Should().Contain("\"hunter2\"");
    }

    [Fact]
    public async Task Config_SyntaxErrorOnASecretKeysLine_DoesNotPrintTheSecret()
    {
        var file = Write("app.conf", "akka.kafka.consumer.kafka-clients {\n  sasl.password hunter2\n}\n");

        var (code, output, error) = await InvokeAsync("config", "--file", file);

        code.Should().Be(1);
        output.Should().BeEmpty();
        error.Trim().Should().Be($"{file}:3:1: expected ':', '=', '+=' or '{{' after the key 'sasl.password' followed by <redacted>, found '}}'");
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
