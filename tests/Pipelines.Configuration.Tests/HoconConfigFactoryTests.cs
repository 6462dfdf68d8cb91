using System.Text.Json;

namespace Pipelines.Configuration.Tests;

public sealed class HoconConfigFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-factory-").FullName;

    [Fact]
    public void Reference_HoldsEveryConnectorSection()
    {
        var reference = HoconConfigFactory.Reference();

        reference.Origin.Should().Be("reference.conf");
        reference.GetConfig("akka.kafka.consumer").Root.Keys.Should().BeEquivalentTo(
        [
            "poll-interval", "poll-timeout", "stop-timeout", "close-timeout", "commit-timeout", "commit-time-warning",
            "partition-handler-warning", "buffer-size", "max-poll-records", "kafka-clients",
        ]);
        reference.GetConfig("akka.kafka.producer").Root.Keys.Should().BeEquivalentTo(["parallelism", "flush-timeout", "close-timeout", "kafka-clients"]);
        reference.GetConfig("akka.kafka.committer").Root.Keys.Should().BeEquivalentTo(["max-batch", "max-interval", "parallelism", "delivery", "when"]);
        reference.HasPath("akka.kafka.consumer.kafka-clients.bootstrap.servers").Should().BeFalse("without bootstrap servers the embedded cluster is used");
    }

    [Fact]
    public void Load_DefaultFile_IsFoundAndResolvedOverTheReference()
    {
        PipelinesConfiguration.FindDefaultFile().Should().NotBeNull("the test output carries config/akka.hocon");

        var config = HoconConfigFactory.Load(null, name => name == "KAFKA_BOOTSTRAP_SERVERS" ? "kafka:9092" : null);

        config.IsResolved.Should().BeTrue();
        config.GetString("akka.kafka.consumer.kafka-clients.bootstrap.servers").Should().Be("kafka:9092");
        config.GetString("akka.kafka.producer.kafka-clients.bootstrap.servers").Should().Be("kafka:9092");
        config.GetTimeSpan("akka.kafka.consumer.poll-interval").Should().Be(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Load_UserFile_OverridesTheReferenceAndMayReferToIt()
    {
        var file = Path.Combine(_directory, "app.conf");
        File.WriteAllText(file, """
            akka.kafka.committer.max-batch = 50
            akka.kafka.producer.parallelism = ${akka.kafka.committer.parallelism}
            akka.kafka.consumer.buffer-size = ${akka.kafka.consumer.buffer-size}0
            """);

        var config = HoconConfigFactory.Load(file, _ => null);

        config.GetInt("akka.kafka.committer.max-batch").Should().Be(50);
        config.GetInt("akka.kafka.producer.parallelism").Should().Be(100);
        config.GetInt("akka.kafka.consumer.buffer-size").Should().Be(1280);
        config.GetInt("akka.kafka.committer.parallelism").Should().Be(100);
    }

    [Fact]
    public void Load_MissingNamedFile_Throws()
    {
        var path = Path.Combine(_directory, "missing.conf");

        var act = () => HoconConfigFactory.Load(path);

        act.Should().Throw<HoconException>().Which.Origin.Should().Be(path);
    }

    [Fact]
    public void Reference_RendersToJsonAndHoconThatParseBack()
    {
        var reference = HoconConfigFactory.Reference();

        using var json = JsonDocument.Parse(reference.ToJson());
        json.RootElement.GetProperty("akka").GetProperty("kafka").GetProperty("committer").GetProperty("delivery").GetString().Should().Be("WaitForAck");
        TreeComparer.Difference(HoconConfigFactory.ParseString(reference.ToHocon()).Root, reference.ToJson()).Should().BeNull();
        TreeComparer.Difference(HoconConfigFactory.ParseString(reference.ToJson()).Root, reference.ToJson()).Should().BeNull();
    }

    [Fact]
    public void Empty_HasNoKeys_AndIsANeutralFallback()
    {
        var config = HoconConfigFactory.ParseString("a = 1");

        HoconConfig.Empty.IsEmpty.Should().BeTrue();
        config.WithFallback(HoconConfig.Empty).Should().BeSameAs(config);
        HoconConfig.Empty.WithFallback(config).Should().BeSameAs(config);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
