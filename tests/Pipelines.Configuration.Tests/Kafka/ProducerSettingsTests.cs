using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests.Kafka;

public sealed class ProducerSettingsTests
{
    [Fact]
    public void Create_FromReference_HasTheDefaults()
    {
        var settings = ProducerSettings<string, byte[]>.Create(PipelinesConfiguration.Reference(), null, null);

        settings.Parallelism.Should().Be(100);
        settings.FlushTimeout.Should().Be(TimeSpan.FromSeconds(10));
        settings.CloseTimeout.Should().Be(TimeSpan.FromSeconds(60));
        settings.Properties.Should().Equal(new Dictionary<string, string> { ["acks"] = "all", ["enable.idempotence"] = "true" });
        settings.KeySerializer.Should().BeSameAs(Serializers.Utf8);
        settings.ValueSerializer.Should().BeSameAs(Serializers.ByteArray);
    }

    [Fact]
    public void CreateProducerConfig_HasAcksAllAndIdempotence()
    {
        var config = ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers("localhost:9092")
            .CreateProducerConfig();

        config.Acks.Should().Be(Acks.All);
        config.EnableIdempotence.Should().BeTrue();
        config.BootstrapServers.Should().Be("localhost:9092");
    }

    [Fact]
    public void Create_FromUserConfig_OverridesKeys()
    {
        var config = PipelinesConfiguration.ParseString("akka.kafka.producer { parallelism = 8, flush-timeout = 2s, kafka-clients.linger.ms = 5, kafka-clients.acks = 1 }");

        var settings = ProducerSettings<string, string>.Create(config, null, null);

        settings.Parallelism.Should().Be(8);
        settings.FlushTimeout.Should().Be(TimeSpan.FromSeconds(2));
        settings.CloseTimeout.Should().Be(TimeSpan.FromSeconds(60));
        settings.GetProperty("linger.ms").Should().Be("5");
        settings.GetProperty("acks").Should().Be("1");
    }

    [Fact]
    public void Create_WithInvalidKeys_ReportsEveryProblem()
    {
        var config = PipelinesConfiguration.ParseString("akka.kafka.producer { parallelism = 0, flush-timeout = 0s, close-timeout = [1] }");

        var act = () => ProducerSettings<Guid, string>.Create(config, null, null);

        act.Should().Throw<SettingsException>().Which.Problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)])
            .Should().BeEquivalentTo(
            [
                "akka.kafka.producer.key-serializer",
                "akka.kafka.producer.parallelism",
                "akka.kafka.producer.flush-timeout",
                "akka.kafka.producer.close-timeout",
            ]);
    }

    [Fact]
    public void ToString_ListsEverySettingAndRedactsSecretProperties()
    {
        var config = PipelinesConfiguration.ParseString("""
            akka.kafka.producer.kafka-clients {
              bootstrap.servers = "broker:9092"
              sasl.username = orders
              sasl.password = hunter2
              ssl.key.pem = "-----BEGIN PRIVATE KEY-----hunter3"
            }
            """);
        var settings = ProducerSettings<Null, string>.Create(config, null, null).WithParallelism(4);

        var text = settings.ToString();

        text.Should().NotContain("hunter");
        text.Should().Be(
            "ProducerSettings<Null, String>(key-serializer=NullSerializer, value-serializer=Utf8Serializer, parallelism=4, "
            + "flush-timeout=00:00:10, close-timeout=00:01:00, kafka-clients={acks=all, bootstrap.servers=broker:9092, "
            + "enable.idempotence=true, sasl.password=<redacted>, sasl.username=orders, ssl.key.pem=<redacted>})");
    }

    [Fact]
    public void WithMethods_ValidateAndCopy()
    {
        var settings = ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null);

        var changed = settings.WithParallelism(3).WithFlushTimeout(TimeSpan.FromSeconds(1)).WithCloseTimeout(TimeSpan.Zero)
            .WithProperty("linger.ms", "1").WithProperties([new("batch.size", "100")]);

        changed.Parallelism.Should().Be(3);
        changed.FlushTimeout.Should().Be(TimeSpan.FromSeconds(1));
        changed.CloseTimeout.Should().Be(TimeSpan.Zero);
        changed.GetProperty("linger.ms").Should().Be("1");
        changed.GetProperty("batch.size").Should().Be("100");
        settings.Parallelism.Should().Be(100);
        var act = () => settings.WithParallelism(0);
        act.Should().Throw<SettingsException>().WithMessage("*akka.kafka.producer.parallelism: must be at least 1, but is 0*");
    }
}
