using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Configuration;
using Pipelines.Kafka.Tests.Consumer;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Settings;

/// <summary>
/// With <c>debug = conf</c> librdkafka logs its whole client configuration when a client is created, and those lines
/// reach our loggers: they must name the secret properties with their values redacted (librdkafka marks them
/// sensitive), and the settings' own text must not carry them either.
/// </summary>
public sealed class SecretsInClientLogsTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Password = "hunter2-in-logs";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // The consumer actor logs librdkafka's debug lines through Akka's logging: capture them at DEBUG.
    private static readonly Akka.Configuration.Config DebugLogs = Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = DEBUG\nakka.stdout-loglevel = WARNING");

    public SecretsInClientLogsTests(ITestOutputHelper output)
        : base(DebugLogs, nameof(SecretsInClientLogsTests), output)
    {
    }

    [Fact]
    public async Task Producer_DebugConf_LogsTheConfigurationWithoutSecrets()
    {
        var settings = ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithProperties(SecuredClient("producer-with-secrets"));
        var log = new DebugLogger();

        using (ProducerFactory.Create(settings, log, onFatal: null))
        {
            await Eventually.TrueAsync(() => log.Messages.Any(m => m.Contains("ssl.key.password", StringComparison.Ordinal)), Patience);
        }

        ShouldHaveLoggedTheSecretKeysRedacted(log);
        settings.ToString().Should().NotContain(Password);
    }

    [Fact]
    public async Task Consumer_DebugConf_LogsTheConfigurationWithoutSecrets()
    {
        var settings = ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithGroupId("consumer-with-secrets")
            .WithProperties(SecuredClient("consumer-with-secrets"));
        var log = LogCapture.Start(Sys);
        var consumer = TestConsumer<string, string>.Start(
            this, settings.CreateConsumerConfig(), null, null, Subscriptions.Topics("secrets"), trackOffsets: false);

        await Eventually.TrueAsync(() => log.Entries.Any(e => e.Message.Contains("ssl.key.password", StringComparison.Ordinal)), Patience);
        await consumer.ShutdownAsync().WaitAsync(Patience);

        var messages = log.Entries.Select(e => e.Message).ToList();
        messages.Should().Contain(m => m.EndsWith("sasl.password = [redacted]", StringComparison.Ordinal), "the configuration dump names the key");
        messages.Should().Contain(m => m.EndsWith("ssl.key.password = [redacted]", StringComparison.Ordinal));
        messages.Should().NotContain(m => m.Contains(Password, StringComparison.Ordinal));
        settings.ToString().Should().NotContain(Password);
    }

    // No broker listens on port 1: the client is created (and logs its configuration) but never connects.
    private static Dictionary<string, string> SecuredClient(string clientId) => new()
    {
        ["bootstrap.servers"] = "127.0.0.1:1",
        ["client.id"] = clientId,
        ["debug"] = "conf",
        ["security.protocol"] = "SASL_PLAINTEXT",
        ["sasl.mechanisms"] = "PLAIN",
        ["sasl.username"] = "orders",
        ["sasl.password"] = Password,
        ["ssl.key.password"] = Password,
    };

    private static void ShouldHaveLoggedTheSecretKeysRedacted(DebugLogger log)
    {
        log.Messages.Should().Contain(m => m.EndsWith("sasl.password = [redacted]", StringComparison.Ordinal), "the configuration dump names the key");
        log.Messages.Should().Contain(m => m.EndsWith("ssl.key.password = [redacted]", StringComparison.Ordinal));
        log.Messages.Should().NotContain(m => m.Contains(Password, StringComparison.Ordinal));
    }

    private sealed class DebugLogger : ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _messages.Enqueue(formatter(state, exception));
    }
}
