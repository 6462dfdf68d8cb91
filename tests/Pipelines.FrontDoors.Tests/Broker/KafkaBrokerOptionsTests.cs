using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Broker;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>Broker options from HOCON and IConfiguration: each applied, or refused with every problem named.</summary>
public sealed class KafkaBrokerOptionsTests
{
    private static Akka.Configuration.Config Hocon(string text) =>
        PipelinesConfiguration.ParseString(text, "test.conf").WithFallback(PipelinesConfiguration.Reference());

    [Fact]
    public void FromConfig_Defaults_ComeFromReferenceConf()
    {
        var options = KafkaBrokerOptions.FromConfig(Hocon("pipelines.brokers.events {}"), "events");

        options.Brokers.Should().BeEmpty();
        options.Codec.Should().BeSameAs(BrokerCodec.Json);
        options.Concurrency.Should().Be(16);
        options.Ordering.Should().Be(BrokerOrdering.PerKey);
        options.AutoOffsetReset.Should().Be(AutoOffsetReset.Earliest);
        options.Retry.Should().Be(BrokerRetryMode.Forever);
        options.RetryBackoff.Should().Be(TimeSpan.FromMilliseconds(100));
        options.RetryMaxBackoff.Should().Be(TimeSpan.FromSeconds(10));
        options.DrainTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void FromConfig_EveryKey_IsApplied_OverTheDefaultsSection()
    {
        var options = KafkaBrokerOptions.FromConfig(Hocon("""
            pipelines.broker-defaults.concurrency = 4
            pipelines.brokers.events {
              brokers = ["b1:9092", "b2:9092"]
              codec = proto
              ordering = unordered
              auto-offset-reset = latest
              retry = route
              retry-backoff = 5ms
              retry-max-backoff = 2s
              drain-timeout = 7s
              producer-clients { linger.ms = 5, compression.type = lz4 }
              consumer-clients { session.timeout.ms = 10000 }
            }
            """), "events");

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.Codec.Should().BeSameAs(BrokerCodec.Proto);
        options.Concurrency.Should().Be(4, "taken from pipelines.broker-defaults");
        options.Ordering.Should().Be(BrokerOrdering.Unordered);
        options.AutoOffsetReset.Should().Be(AutoOffsetReset.Latest);
        options.Retry.Should().Be(BrokerRetryMode.Route);
        options.RetryBackoff.Should().Be(TimeSpan.FromMilliseconds(5));
        options.RetryMaxBackoff.Should().Be(TimeSpan.FromSeconds(2));
        options.DrainTimeout.Should().Be(TimeSpan.FromSeconds(7));
        options.ProducerClients.Should().Contain("linger.ms", "5").And.Contain("compression.type", "lz4");
        options.ConsumerClients.Should().Contain("session.timeout.ms", "10000");
    }

    [Fact]
    public void FromConfig_UnknownKeysAndWrongValues_AreAllRefusedAtOnce()
    {
        var act = () => KafkaBrokerOptions.FromConfig(Hocon("""
            pipelines.brokers.events {
              codec = xml
              concurrency = 0
              ordering = sideways
              auto-offset-reset = never
              retry-backoff = soon
              topic = orders
            }
            """), "events");

        var message = act.Should().Throw<SettingsException>().Which.Message;
        message.Should().Contain("codec").And.Contain("\"xml\" is not a codec");
        message.Should().Contain("concurrency").And.Contain("at least 1");
        message.Should().Contain("ordering");
        message.Should().Contain("auto-offset-reset").And.Contain("\"never\"");
        message.Should().Contain("retry-backoff");
        message.Should().Contain("topic").And.Contain("is not a broker setting");
    }

    [Fact]
    public void FromConfig_ClientPropertiesThatAnOptionDecides_AreRefused()
    {
        var act = () => KafkaBrokerOptions.FromConfig(Hocon("""
            pipelines.brokers.events {
              brokers = ["b1:9092"]
              consumer-clients { group.id = g, auto.offset.reset = latest, enable.auto.commit = true, bootstrap.servers = "b2:9092" }
              producer-clients { bootstrap.servers = "b2:9092" }
            }
            """), "events");

        var message = act.Should().Throw<SettingsException>().Which.Message;
        message.Should().Contain("group.id is decided by each subscription's queue");
        message.Should().Contain("auto.offset.reset is decided by auto-offset-reset");
        message.Should().Contain("enable.auto.commit = true");
        message.Should().Contain("bootstrap.servers and brokers are both set");
    }

    [Fact]
    public void FromConfig_MissingSection_IsRefusedNamingIt()
    {
        var act = () => KafkaBrokerOptions.FromConfig(Hocon("pipelines.brokers.other {}"), "events");

        act.Should().Throw<SettingsException>().Which.Message.Should().Contain("pipelines.brokers.events").And.Contain("no broker named \"events\"");
    }

    [Fact]
    public void FromConfiguration_PascalCaseAndHoconKeys_AreApplied()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Brokers"] = "b1:9092, b2:9092",
            ["Broker:Codec"] = "bytes",
            ["Broker:Concurrency"] = "3",
            ["Broker:ordering"] = "unordered",
            ["Broker:auto-offset-reset"] = "latest",
            ["Broker:Retry"] = "Route",
            ["Broker:RetryBackoff"] = "00:00:00.250",
            ["Broker:retry-max-backoff"] = "5s",
            ["Broker:DrainTimeout"] = "1m",
            ["Broker:ProducerClients:linger.ms"] = "2",
            ["Broker:consumer-clients:fetch.wait.max.ms"] = "20",
        }).Build().GetSection("Broker");

        var options = KafkaBrokerOptions.FromConfiguration(section);

        options.Brokers.Should().Equal("b1:9092", "b2:9092");
        options.Codec.Should().BeSameAs(BrokerCodec.Bytes);
        options.Concurrency.Should().Be(3);
        options.Ordering.Should().Be(BrokerOrdering.Unordered);
        options.AutoOffsetReset.Should().Be(AutoOffsetReset.Latest);
        options.Retry.Should().Be(BrokerRetryMode.Route);
        options.RetryBackoff.Should().Be(TimeSpan.FromMilliseconds(250));
        options.RetryMaxBackoff.Should().Be(TimeSpan.FromSeconds(5));
        options.DrainTimeout.Should().Be(TimeSpan.FromMinutes(1));
        options.ProducerClients.Should().Contain("linger.ms", "2");
        options.ConsumerClients.Should().Contain("fetch.wait.max.ms", "20");
    }

    [Fact]
    public void FromConfiguration_UnknownKeysAndWrongValues_AreAllRefusedAtOnce()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Codec"] = "yaml",
            ["Broker:Concurrency"] = "many",
            ["Broker:Retry"] = "never",
            ["Broker:DrainTimeout"] = "later",
            ["Broker:Topic"] = "orders",
        }).Build().GetSection("Broker");

        var message = FluentActions.Invoking(() => KafkaBrokerOptions.FromConfiguration(section)).Should().Throw<SettingsException>().Which.Message;

        message.Should().Contain("Codec").And.Contain("\"yaml\"");
        message.Should().Contain("Concurrency").And.Contain("\"many\"");
        message.Should().Contain("Retry").And.Contain("\"never\"");
        message.Should().Contain("DrainTimeout").And.Contain("\"later\"");
        message.Should().Contain("Topic").And.Contain("is not a broker setting");
    }

    [Fact]
    public void Validate_OptionsSetInCode_AreCheckedToo()
    {
        var options = new KafkaBrokerOptions { Concurrency = -1, RetryBackoff = TimeSpan.FromSeconds(2), RetryMaxBackoff = TimeSpan.FromSeconds(1), AutoOffsetReset = AutoOffsetReset.Error };

        var message = options.Invoking(o => o.Validate()).Should().Throw<SettingsException>().Which.Message;

        message.Should().Contain("concurrency").And.Contain("retry-max-backoff").And.Contain("auto-offset-reset");
    }
}
