using System.Runtime.InteropServices;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Native;

namespace Pipelines.Kafka.Tests.Native;

public sealed class LibrdkafkaBindingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClientAndEmbeddedCluster_InOneProcess_MapOneLibrdkafkaFileFromTheRedistPackage()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("one-library", 1);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync("one-library", new Message<Null, string> { Value = "through Confluent.Kafka" });
        }

        var mapped = MappedLibrdkafkaFiles();

        var file = mapped.Should().ContainSingle("Confluent.Kafka and the embedded cluster share one copy of librdkafka").Which;
        Path.GetFileName(file).Should().Be(LibrdkafkaBinding.ClientImportName + ".so", "it is the build Confluent.Kafka chose");
        file.Should().Contain($"{Path.DirectorySeparatorChar}runtimes{Path.DirectorySeparatorChar}", "it comes from librdkafka.redist, not the operating system");
    }

    [Fact]
    public void LibraryHandle_BoundLibrary_ReportsTheVersionConfluentKafkaLoaded()
    {
        Confluent.Kafka.Library.Load();

        var version = Version(LibrdkafkaBinding.LibraryHandle);

        version.Should().Be(Confluent.Kafka.Library.Version);
        Confluent.Kafka.Library.VersionString.Should().StartWith("2.16.", "the package's librdkafka, not Debian's 2.0.2");
    }

    [Fact]
    public async Task ConsumerWakeup_OnAConfluentConsumer_WakesAPollBlockedForMinutes()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("idle", 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "idle" }).Build();
        consumer.Assign(new TopicPartitionOffset("idle", 0, Offset.End));
        var wakeup = ConsumerWakeup.Attach(consumer);
        try
        {
            wakeup.IsSupported.Should().BeTrue("the client's handle is passed to the same librdkafka that created it");
            var poll = Task.Factory.StartNew(() => consumer.Consume(TimeSpan.FromMinutes(5)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            // A wake-up that comes before the poll blocks is kept by the queue, so the order does not matter.
            wakeup.Wake();

            (await poll.WaitAsync(Patience)).Should().BeNull("the poll returns on the wake-up, with no record");
        }
        finally
        {
            wakeup.Dispose();
        }

        consumer.Close();
    }

    // Every distinct file of the process's memory map whose name contains "librdkafka".
    private static List<string> MappedLibrdkafkaFiles() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].Contains("librdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5].Trim())
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static int Version(nint library) =>
        Marshal.GetDelegateForFunctionPointer<VersionFunction>(NativeLibrary.GetExport(library, "rd_kafka_version"))();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int VersionFunction();
}
