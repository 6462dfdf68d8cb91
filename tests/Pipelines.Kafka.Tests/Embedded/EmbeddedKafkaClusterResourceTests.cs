using Pipelines.Kafka.Embedded;

namespace Pipelines.Kafka.Tests.Embedded;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessResourcesCollection
{
    /// <summary>Tests that count the process's threads and sockets run alone, after every parallel test.</summary>
    public const string Name = "Process resources";
}

[Collection(ProcessResourcesCollection.Name)]
public sealed class EmbeddedKafkaClusterResourceTests
{
    [Fact]
    public void Dispose_AfterStartingClusters_ReleasesEveryNativeThreadAndSocket()
    {
        var threadsBefore = LibrdkafkaThreads();
        var socketsBefore = Sockets();

        for (var i = 0; i < 3; i++)
        {
            using var cluster = EmbeddedKafkaCluster.Start(3);
            cluster.CreateTopic("resources", 2);
            LibrdkafkaThreads().Should().BeGreaterThan(threadsBefore, "a running cluster has librdkafka threads");
            Sockets().Should().BeGreaterThanOrEqualTo(socketsBefore + 3, "each broker listens on a socket");
        }

        LibrdkafkaThreads().Should().Be(threadsBefore);
        Sockets().Should().Be(socketsBefore);
    }

    // librdkafka names its threads "rdk:main", "rdk:broker…", "rdk:mock".
    private static int LibrdkafkaThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task => ReadOrEmpty(Path.Combine(task, "comm")).StartsWith("rdk:", StringComparison.Ordinal));

    private static int Sockets() =>
        Directory.GetFiles("/proc/self/fd").Count(fd => LinkTargetOrEmpty(fd).StartsWith("socket:", StringComparison.Ordinal));

    // Threads and descriptors of other components come and go while the directory is listed.
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static string LinkTargetOrEmpty(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget ?? string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
