using Akka.Actor;
using Akka.Configuration;
using Confluent.Kafka;
using Pipelines.Configuration.Conversion;
using Pipelines.Kafka;
using Config = Akka.Configuration.Config;

namespace Pipelines.Configuration.Tests.ActorSystems;

/// <summary>Connector settings read their section from an ActorSystem, as Akka.Streams.Kafka users expect.</summary>
public sealed class SettingsFromActorSystemTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-settings-system-").FullName;

    [Fact]
    public async Task Create_FromActorSystem_ReadsTheFilesValuesOverTheReference()
    {
        var file = Write("""
            akka.kafka {
              consumer {
                poll-interval = 200ms
                buffer-size = 64
                kafka-clients { group.id = orders, enable.auto.commit = null }
              }
              producer {
                parallelism = 8
                kafka-clients.linger.ms = 5
              }
              committer {
                max-batch = 50
                when = next-offset-observed
              }
            }
            """);

        await WithSystemAsync(PipelinesConfiguration.Load(file), system =>
        {
            var consumer = ConsumerSettings<string, byte[]>.Create(system, null, null);
            consumer.PollInterval.Should().Be(TimeSpan.FromMilliseconds(200));
            consumer.BufferSize.Should().Be(64);
            consumer.PollTimeout.Should().Be(TimeSpan.FromMilliseconds(50), "keys the file does not set come from the reference");
            consumer.Properties.Should().Equal(
                new Dictionary<string, string> { ["group.id"] = "orders", ["partition.assignment.strategy"] = "cooperative-sticky" },
                "null removes the reference's enable.auto.commit");
            consumer.ValueDeserializer.Should().BeSameAs(Deserializers.ByteArray);

            var producer = ProducerSettings<string, string>.Create(system, null, null);
            producer.Parallelism.Should().Be(8);
            producer.FlushTimeout.Should().Be(TimeSpan.FromSeconds(10));
            producer.Properties.Should().Contain("linger.ms", "5").And.Contain("acks", "all");

            var committer = CommitterSettings.Create(system);
            committer.MaxBatch.Should().Be(50);
            committer.When.Should().Be(CommitWhen.NextOffsetObserved);
            committer.MaxInterval.Should().Be(TimeSpan.FromSeconds(10));
        });
    }

    [Fact]
    public async Task Create_FromActorSystemWithAkkasDefaultsOnly_GivesTheReferenceSettings()
    {
        await WithSystemAsync(ConfigurationFactory.Empty, system =>
        {
            var consumer = ConsumerSettings<string, string>.Create(system, null, null);
            consumer.PollInterval.Should().Be(ConsumerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null).PollInterval);
            consumer.Properties.Should().Equal(new Dictionary<string, string> { ["enable.auto.commit"] = "false", ["partition.assignment.strategy"] = "cooperative-sticky" });
            ProducerSettings<string, string>.Create(system, null, null).Parallelism.Should().Be(100);
            CommitterSettings.Create(system).MaxBatch.Should().Be(CommitterSettings.Default.MaxBatch);
        });
    }

    [Fact]
    public async Task Create_FromActorSystem_BadValuesInTheFile_ReportsEveryProblemWithWhereItWasWritten()
    {
        var file = Write("""
            akka.kafka.consumer {
              poll-interval = soon
              buffer-size = 0
              max-poll-records = many
              kafka-clients = 5
            }
            akka.kafka.committer.delivery = maybe
            """);

        await WithSystemAsync(PipelinesConfiguration.Load(file), system =>
        {
            var consumer = () => ConsumerSettings<string, string>.Create(system, null, null);
            var committer = () => CommitterSettings.Create(system);

            var problems = consumer.Should().Throw<SettingsException>().Which.Problems;
            problems.Should().HaveCount(4);
            problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.poll-interval: must be a duration", StringComparison.Ordinal) && p.EndsWith($"({file}:2:19)", StringComparison.Ordinal));
            problems.Should().ContainSingle(p => p == "akka.kafka.consumer.buffer-size: must be at least 1, but is 0");
            problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.max-poll-records: must be a whole number", StringComparison.Ordinal) && p.EndsWith($"({file}:4:22)", StringComparison.Ordinal));
            problems.Should().ContainSingle(p => p.StartsWith("akka.kafka.consumer.kafka-clients: must be an object", StringComparison.Ordinal) && p.EndsWith($"({file}:5:19)", StringComparison.Ordinal));
            committer.Should().Throw<SettingsException>().Which.Problems.Should().Equal(
                $"akka.kafka.committer.delivery: must be one of wait-for-ack, send-and-forget, but is \"maybe\"");
        });
    }

    [Fact]
    public void Create_FromConfigParsedByAkka_ReportsTheProblemWithoutAPosition()
    {
        var config = ConfigurationFactory.ParseString("akka.kafka.consumer { poll-interval = soon, buffer-size = 16 }");

        var act = () => ConsumerSettings<string, string>.Create(config, null, null);

        var problem = act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle().Which;
        problem.Should().StartWith("akka.kafka.consumer.poll-interval: must be a duration such as 50ms or 10s, but is \"soon\"");
        problem.Should().NotContain(AkkaConfigConverter.UnknownOrigin, "Akka's parser keeps no position to report");
    }

    [Fact]
    public void Create_FromConfigParsedByAkka_ReadsItsValues()
    {
        var config = ConfigurationFactory.ParseString("akka.kafka.consumer { poll-interval = 5ms, kafka-clients { bootstrap.servers = \"a:1\" } }");

        var settings = ConsumerSettings<string, string>.Create(config, null, null);

        settings.PollInterval.Should().Be(TimeSpan.FromMilliseconds(5));
        settings.BootstrapServers.Should().Be("a:1");
        settings.GetProperty("enable.auto.commit").Should().Be("false");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task WithSystemAsync(Config config, Action<ActorSystem> assert)
    {
        var system = ActorSystem.Create("settings", config);
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
